import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { GraphStoreUnavailableError } from './graph/index.js';

/** The `extensions.code` values recograph's own errors carry. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'INTERNAL_SERVER_ERROR'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'SERVICE_UNAVAILABLE'
  | QueryLimitCode;

/** One code per query limit (src/security/query-limits.ts). */
export type QueryLimitCode =
  | 'QUERY_TOO_DEEP'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_DIRECTIVES'
  | 'TOO_MANY_TOKENS'
  | 'QUERY_TOO_COSTLY';

/** `extensions.http` as Apollo Server reads it: the status of a response that has only errors. */
const httpStatus = (status: number) => ({ http: { status, headers: new Map<string, string>() } });

/** Bad input from the client: names the argument and, where useful, echoes what was wrong. */
export class BadUserInputError extends GraphQLError {
  constructor(message: string, details: { argument: string } & Record<string, unknown>) {
    super(message, { extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode, ...details } });
  }
}

/**
 * Where an access error arises: refusing a whole request sets the HTTP status (401/403); refusing
 * one field leaves the rest of the response, and its 200, alone.
 */
export type AccessScope = 'request' | 'field';

/** No key, or a key that is not valid; the message never says which key or role exists. */
export class UnauthenticatedError extends GraphQLError {
  constructor(scope: AccessScope, message = 'Authentication required: send a valid API key as `Authorization: Bearer <key>`.') {
    super(message, { extensions: { code: 'UNAUTHENTICATED' satisfies ErrorCode, ...(scope === 'request' ? httpStatus(401) : {}) } });
  }
}

/** A valid key whose role may not do this. */
export class ForbiddenError extends GraphQLError {
  constructor(scope: AccessScope, what: string) {
    super(`Your API key's role may not ${what}.`, {
      extensions: { code: 'FORBIDDEN' satisfies ErrorCode, ...(scope === 'request' ? httpStatus(403) : {}) },
    });
  }
}

const STORE_UNAVAILABLE_MESSAGE = 'The graph store is unavailable right now; try again shortly.';

export class ServiceUnavailableError extends GraphQLError {
  constructor() {
    super(STORE_UNAVAILABLE_MESSAGE, { extensions: { code: 'SERVICE_UNAVAILABLE' satisfies ErrorCode, ...httpStatus(503) } });
  }
}

/** A query over one of the configured limits; rejected before anything runs. */
export class QueryLimitError extends GraphQLError {
  constructor(code: QueryLimitCode, message: string, limit: number) {
    super(message, { extensions: { code, limit, ...httpStatus(400) } });
  }
}

/** graphql-js's own parser enforces the token limit (`parseOptions.maxTokens`); this is its message (typo included). */
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more th(?:at|an) (\d+) tokens\./;

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
    // Apollo re-codes validation errors GRAPHQL_VALIDATION_FAILED; a limit keeps its own code.
    if (original instanceof GraphQLError && original.originalError instanceof QueryLimitError) {
      return { ...formatted, extensions: { code: original.originalError.extensions.code, limit: original.originalError.extensions.limit } };
    }
    const tokens = original instanceof GraphQLError ? TOO_MANY_TOKENS.exec(formatted.message) : null;
    if (tokens) {
      return { message: `Token limit of ${tokens[1]} exceeded.`, extensions: { code: 'TOO_MANY_TOKENS' satisfies ErrorCode, limit: Number(tokens[1]) } };
    }
    if (original instanceof GraphQLError) return formatted;
    if (original instanceof GraphStoreUnavailableError) {
      return {
        message: STORE_UNAVAILABLE_MESSAGE,
        extensions: { code: 'SERVICE_UNAVAILABLE' satisfies ErrorCode },
        ...(formatted.path ? { path: formatted.path } : {}),
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return { ...INTERNAL, ...(formatted.path ? { path: formatted.path } : {}) };
  };
}
