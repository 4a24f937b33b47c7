import type { RequestHandler, Response } from 'express';
import type { Role } from '../config.js';
import { RecographError, UnauthenticatedError } from '../errors.js';
import type { AccessPolicy, Caller } from './access-policy.js';
import { sendError } from './request-body.js';

/** The caller `authenticateRequests` found, for the GraphQL context. */
export const callerOf = (res: Response): Caller => res.locals['caller'] as Caller;

function refuse(res: Response, error: RecographError): void {
  if (error.code === 'UNAUTHENTICATED') res.set('WWW-Authenticate', 'Bearer');
  sendError(res, error.code, error.message);
}

/**
 * Authenticates before the body is read: invalid credentials, and anonymous callers where reads are
 * not public, get their 401 without the server parsing what they sent.
 */
export function authenticateRequests(policy: AccessPolicy): RequestHandler {
  return async (req, res, next) => {
    try {
      const caller = await policy.authenticate(req.get('authorization'));
      if (caller.kind === 'anonymous' && !policy.publicReads) throw new UnauthenticatedError();
      res.locals['caller'] = caller;
      next();
    } catch (error) {
      if (error instanceof RecographError) refuse(res, error);
      else next(error);
    }
  };
}

/** Express middleware admitting only keys of at least `role`, e.g. on the `/admin` prefix. */
export function requireKey(policy: AccessPolicy, role: Role, what: string): RequestHandler {
  return async (req, res, next) => {
    try {
      policy.require(await policy.authenticate(req.get('authorization')), role, what);
      next();
    } catch (error) {
      if (error instanceof RecographError) refuse(res, error);
      else next(error);
    }
  };
}
