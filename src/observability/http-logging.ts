import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Fastify's `genReqId`: the client's `x-request-id` when it is a sane token, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Structured access logs: one line per request when it has been answered, with its id (echoed in
 * the `x-request-id` response header), method, path and status. Query strings (GET operations and
 * their variables), bodies and most headers stay out: they can carry user ids. A level the logger
 * drops costs nothing past one check.
 */
export function requestLogging(logger: Logger) {
  return {
    onRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
      reply.header('x-request-id', request.id);
      done();
    },
    onResponse(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
      const status = reply.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (logger.isLevelEnabled(level)) {
        const url = request.url;
        const query = url.indexOf('?');
        logger[level](
          { req: { id: request.id, method: request.method, url: query === -1 ? url : url.slice(0, query) }, res: { statusCode: status }, responseTime: reply.elapsedTime },
          'request completed',
        );
      }
      done();
    },
  };
}
