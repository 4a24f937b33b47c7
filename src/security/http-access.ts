import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../config.js';
import { RecographError, UnauthenticatedError } from '../errors.js';
import type { AccessPolicy, Caller } from './access-policy.js';
import { sendError } from './request-body.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, once `authenticateRequests` has run; null before. */
    caller: Caller | null;
  }
}

/** Gives every request of `app` its `caller` slot (Fastify wants request fields declared up front). */
export function decorateCaller(app: FastifyInstance): void {
  app.decorateRequest('caller', null);
}

/** The caller `authenticateRequests` found, for the GraphQL context. */
export function callerOf(request: FastifyRequest): Caller {
  if (request.caller === null) throw new Error('callerOf: authenticateRequests did not run for this route');
  return request.caller;
}

function refuse(reply: FastifyReply, error: RecographError): FastifyReply {
  if (error.code === 'UNAUTHENTICATED') reply.header('WWW-Authenticate', 'Bearer');
  return sendError(reply, error.code, error.message);
}

/**
 * An `onRequest` hook, so it runs before the body is read: invalid credentials, and anonymous
 * callers where reads are not public, get their 401 without the server parsing what they sent.
 */
export function authenticateRequests(policy: AccessPolicy) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      const caller = await policy.authenticate(request.headers.authorization);
      if (caller.kind === 'anonymous' && !policy.publicReads) throw new UnauthenticatedError();
      request.caller = caller;
    } catch (error) {
      if (!(error instanceof RecographError)) throw error;
      await refuse(reply, error);
    }
  };
}

/** An `onRequest` hook admitting only keys of at least `role`, e.g. on `/metrics` or `/admin/session`. */
export function requireKey(policy: AccessPolicy, role: Role, what: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      policy.require(await policy.authenticate(request.headers.authorization), role, what);
    } catch (error) {
      if (!(error instanceof RecographError)) throw error;
      await refuse(reply, error);
    }
  };
}
