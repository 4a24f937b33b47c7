import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

/** A refusal before GraphQL runs, in GraphQL's error shape, with its code's status (or `status` for other 4xx). */
export const sendError = (res: express.Response, code: ErrorCode, message: string, status: number = ERROR_CODES[code]) =>
  res.status(status).json({ errors: [{ message, extensions: { code } }] });

/** POST bodies must be one JSON object (no batch arrays) within `maxBytes`. */
export function jsonBody(maxBytes: number): RequestHandler[] {
  return [
    (req, res, next) => {
      if (req.method !== 'POST' || req.is('application/json')) return next();
      sendError(res, 'UNSUPPORTED_MEDIA_TYPE', 'Send GraphQL requests as `Content-Type: application/json`.');
    },
    express.json({ limit: maxBytes }),
    (req, res, next) => {
      // Apollo refuses batches too (allowBatchedHttpRequests: false), but in plain text, without a code.
      if (!Array.isArray(req.body)) return next();
      sendError(res, 'BAD_REQUEST', 'Batched requests (JSON arrays) are not accepted: send one operation per request.');
    },
  ];
}

/** The last Express error handler: malformed bodies get a 4xx; anything else a masked 500. */
export function requestErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: { type?: string; status?: number }, _req, res, next) => {
    if (res.headersSent) return next(error);
    switch (error.type) {
      case 'entity.parse.failed':
        return sendError(res, 'BAD_REQUEST', 'The request body is not valid JSON.');
      case 'entity.too.large':
        return sendError(res, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendError(res, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as UTF-8 JSON.');
    }
    if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      return sendError(res, 'BAD_REQUEST', 'The request could not be read.', error.status);
    }
    logger.error({ err: error }, 'unexpected error while handling a request');
    return sendError(res, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  };
}
