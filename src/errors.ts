import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { GraphStoreUnavailableError } from './graph/index.js';

/** Every `extensions.code` recograph itself sends, with the HTTP status of a request refused as a whole. */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  BAD_USER_INPUT: 400,
  PERSISTED_QUERY_HASH_MISMATCH: 400,
  QUERY_TOO_DEEP: 400,
  TOO_MANY_ALIASES: 400,
  TOO_MANY_DIRECTIVES: 400,
  TOO_MANY_TOKENS: 400,
  QUERY_TOO_COSTLY: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  // Sent with a 200: Apollo has set the status before the answer is serialised and measured.
  RESPONSE_TOO_LARGE: 200,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One code per query limit (src/security/query-limits.ts). */
export type QueryLimitCode = Extract<ErrorCode, 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'TOO_MANY_DIRECTIVES' | 'TOO_MANY_TOKENS' | 'QUERY_TOO_COSTLY'>;

/**
 * Where an error arises: refusing a whole request sets the HTTP status of its code; refusing one
 * field leaves the rest of the response, and its 200, alone.
 */
export type ErrorScope = 'request' | 'field';

/** The base of recograph's errors: a GraphQL error whose `extensions.code` comes from ERROR_CODES. */
export class RecographError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, scope: ErrorScope, details: Record<string, unknown> = {}) {
    // `extensions.http` is how Apollo Server sets the status; it never reaches the client.
    const http = scope === 'request' ? { http: { status: ERROR_CODES[code], headers: new Map<string, string>() } } : {};
    super(message, { extensions: { code, ...details, ...http } });
    this.code = code;
  }

  /** What a client sees of this error's extensions: the code and the details, never `http`. */
  get publicExtensions(): Record<string, unknown> {
    const { http: _http, ...rest } = this.extensions;
    return rest;
  }
}

/** Bad input from the client: names the argument and, where useful, echoes what was wrong. */
export class BadUserInputError extends RecographError {
  constructor(message: string, details: { argument: string } & Record<string, unknown>) {
    super('BAD_USER_INPUT', message, 'field', details);
  }
}

/** A request that contradicts what is stored, e.g. an idempotency id reused for another interaction. */
export class ConflictError extends RecographError {
  constructor(message: string, details: { argument: string } & Record<string, unknown>) {
    super('CONFLICT', message, 'field', details);
  }
}

/** No credentials, or credentials that are not valid; refuses the whole request (401) and never says which key or role exists. */
export class UnauthenticatedError extends RecographError {
  constructor(message = 'Authentication required: send a valid API key or token as `Authorization: Bearer <credential>`.') {
    super('UNAUTHENTICATED', message, 'request');
  }
}

/** Valid credentials that may not do this; refuses the whole request (403). */
export class ForbiddenError extends RecographError {
  constructor(what: string) {
    super('FORBIDDEN', `Your credentials may not ${what}.`, 'request');
  }
}

const STORE_UNAVAILABLE_MESSAGE = 'The graph store is unavailable right now; try again shortly.';

export class ServiceUnavailableError extends RecographError {
  constructor() {
    super('SERVICE_UNAVAILABLE', STORE_UNAVAILABLE_MESSAGE, 'request');
  }
}

/** A query over one of the configured limits; rejected before anything runs. */
export class QueryLimitError extends RecographError {
  constructor(code: QueryLimitCode, message: string, limit: number) {
    super(code, message, 'request', { limit });
  }
}

/** graphql-js's own parser enforces the token limit (`parseOptions.maxTokens`); this is its message (typo included). */
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more th(?:at|an) (\d+) tokens\./;
/** Apollo's own message for a persisted query whose hash does not match its text (it codes it as a 500). */
const APQ_HASH_MISMATCH = 'provided sha does not match query';

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
    // Apollo re-codes validation errors GRAPHQL_VALIDATION_FAILED; ours keep their own code.
    if (original instanceof GraphQLError && original.originalError instanceof RecographError) {
      return { ...formatted, extensions: original.originalError.publicExtensions };
    }
    const tokens = original instanceof GraphQLError ? TOO_MANY_TOKENS.exec(formatted.message) : null;
    if (tokens) {
      return { message: `Token limit of ${tokens[1]} exceeded.`, extensions: { code: 'TOO_MANY_TOKENS' satisfies ErrorCode, limit: Number(tokens[1]) } };
    }
    if (formatted.message === APQ_HASH_MISMATCH) {
      return {
        message: 'The persisted query hash does not match the query text.',
        extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' satisfies ErrorCode },
      };
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
