import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';

/**
 * Every GraphQL answer is `cache-control: no-store`: answers are per caller (recommendations, a
 * user's history) and the schema declares no `@cacheControl` hints, so Apollo's cache-control
 * plugin could only ever conclude `no-store`. It reached that through a `willResolveField` hook on
 * every resolved field, which also makes Apollo wrap every resolver: about a third of the memory an
 * explained recommendations request allocated (docs/benchmarks.md, "Where a request's time goes").
 * This sends the same header without the per-field work.
 */
export function uncacheableAnswers(): ApolloServerPlugin[] {
  return [
    ApolloServerPluginCacheControlDisabled(),
    {
      async requestDidStart() {
        return {
          async willSendResponse({ response }) {
            response.http.headers.set('cache-control', 'no-store');
          },
        };
      },
    },
  ];
}
