import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginDisableSuggestions } from '@apollo/server/plugin/disableSuggestions';
import type { Caller } from './access-policy.js';

/** "Did you mean …?" in validation errors names fields of the schema: anonymous callers do not get it. */
export function suggestionsPlugin<TContext extends { readonly caller: Caller }>(): ApolloServerPlugin<TContext> {
  const hide: ApolloServerPlugin<BaseContext> = ApolloServerPluginDisableSuggestions();
  return {
    async requestDidStart(requestContext) {
      return requestContext.contextValue.caller.kind === 'anonymous' ? hide.requestDidStart?.(requestContext) : undefined;
    },
  };
}
