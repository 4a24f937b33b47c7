import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { GraphQLError } from 'graphql';
import type { AccessPolicy, Caller } from './access-policy.js';

/**
 * Operation-level roles, checked once before execution: mutations need `writer`; queries need
 * `reader` unless reads are public. Field-level rules (admin-only data) live in the resolvers.
 */
export function operationAccessPlugin<TContext extends { readonly caller: Caller }>(
  policy: AccessPolicy,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation === 'mutation') policy.require(contextValue.caller, 'writer', 'run mutations');
          else if (!policy.publicReads) policy.require(contextValue.caller, 'reader', 'run queries');
        },
      };
    },
  };
}

/** Express middleware admitting only admin keys: the admin panel's session check. */
export function requireAdmin(policy: AccessPolicy): RequestHandler {
  return (req, res, next) => {
    try {
      policy.require(policy.authenticate(req.get('authorization')), 'admin', 'open the admin panel');
      next();
    } catch (error) {
      const { message, extensions } = error as GraphQLError;
      const status = extensions.code === 'UNAUTHENTICATED' ? 401 : 403;
      if (status === 401) res.set('WWW-Authenticate', 'Bearer');
      res.status(status).json({ errors: [{ message, extensions: { code: extensions.code } }] });
    }
  };
}
