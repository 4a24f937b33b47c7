import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

/** A refusal before GraphQL runs, in GraphQL's error shape, with its code's status (or `status` for other 4xx). */
export const sendError = (reply: FastifyReply, code: ErrorCode, message: string, status: number = ERROR_CODES[code]) =>
  reply.code(status).send({ errors: [{ message, extensions: { code } }] });

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * Before the body is read: a POST must say `Content-Type: application/json` in UTF-8 (the only
 * body Fastify's JSON parser decodes correctly), else 415. Its size is bounded by `bodyLimit`.
 */
export function jsonBodyOnly(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (request.method !== 'POST') return done();
  const type = request.headers['content-type'] ?? '';
  if (!JSON_MEDIA_TYPE.test(type)) {
    sendError(reply, 'UNSUPPORTED_MEDIA_TYPE', 'Send GraphQL requests as `Content-Type: application/json`.');
    return;
  }
  const charset = CHARSET.exec(type)?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
    sendError(reply, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as UTF-8 JSON.');
    return;
  }
  done();
}

/** After parsing: a POST body is one JSON object (no batch arrays, no bare strings or numbers). */
export function oneOperationBody(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (request.method !== 'POST') return done();
  const { body } = request;
  if (Array.isArray(body)) {
    // Apollo refuses batches too (allowBatchedHttpRequests: false), but in plain text, without a code.
    sendError(reply, 'BAD_REQUEST', 'Batched requests (JSON arrays) are not accepted: send one operation per request.');
    return;
  }
  if (typeof body !== 'object' || body === null) {
    sendError(reply, 'BAD_REQUEST', 'The request body is not valid JSON: send one JSON object.');
    return;
  }
  done();
}

/** Fastify's error handler: malformed bodies get a 4xx; anything else a masked 500. */
export function requestErrorHandler(logger: Logger) {
  return (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, 'UNSUPPORTED_MEDIA_TYPE', 'Send GraphQL requests as `Content-Type: application/json`.');
    }
    // The JSON parser's SyntaxError (and prototype-poisoning refusals) carry 400.
    if (error.statusCode === 400 && (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')) {
      return sendError(reply, 'BAD_REQUEST', 'The request body is not valid JSON.');
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, 'BAD_REQUEST', 'The request could not be read.', error.statusCode);
    }
    logger.error({ err: error }, 'unexpected error while handling a request');
    return sendError(reply, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  };
}
