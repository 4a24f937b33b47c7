import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';

/** The `extensions.code` values recograph's own errors carry. */
export type ErrorCode = 'BAD_USER_INPUT' | 'INTERNAL_SERVER_ERROR';

/** Bad input from the client: names the argument and, where useful, echoes what was wrong. */
export class BadUserInputError extends GraphQLError {
  constructor(message: string, details: { argument: string } & Record<string, unknown>) {
    super(message, { extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode, ...details } });
  }
}

const INTERNAL: GraphQLFormattedError = {
  message: 'Internal server error',
  extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode },
};

/**
 * Apollo's `formatError`: GraphQL errors (ours, and the parse/validation errors of GraphQL itself)
 * reach the client; anything else is logged and masked, so internals never leak.
 */
export function maskUnexpectedErrors(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof GraphQLError) return formatted;
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return { ...INTERNAL, ...(formatted.path ? { path: formatted.path } : {}) };
  };
}
