import type { AccessOptions, Role } from '../config.js';
import { ForbiddenError, UnauthenticatedError, type ErrorScope } from '../errors.js';
import { ApiKeyRing } from './api-keys.js';

/** Who is calling: the role of their key, or null for an anonymous caller. */
export interface Caller {
  readonly role: Role | null;
}

const RANK: Readonly<Record<Role, number>> = { reader: 1, writer: 2, admin: 3 };
const BEARER = /^Bearer ([^\s]+)$/;

/**
 * Roles and API keys. Without configured keys the API is open: every caller acts as admin
 * (development; production refuses to start so unless ALLOW_OPEN_MUTATIONS is set).
 */
export class AccessPolicy {
  private readonly keys: ApiKeyRing;

  constructor(private readonly options: AccessOptions) {
    this.keys = new ApiKeyRing(options.apiKeys);
  }

  get open(): boolean {
    return this.keys.size === 0;
  }

  get publicReads(): boolean {
    return this.open || this.options.publicReads;
  }

  /** The caller behind an `Authorization` header; a header with no valid key is refused, not ignored. */
  authenticate(authorization: string | undefined): Caller {
    if (this.open) return { role: 'admin' };
    if (authorization === undefined) return { role: null };
    const role = this.keys.roleOf(BEARER.exec(authorization)?.[1] ?? '');
    if (role === null) throw new UnauthenticatedError('request', 'This API key is not valid.');
    return { role };
  }

  /** Throws UNAUTHENTICATED for an anonymous caller, FORBIDDEN for a role below `role`. */
  require(caller: Caller, role: Role, what: string, scope: ErrorScope = 'request'): void {
    if (caller.role === null) throw new UnauthenticatedError(scope);
    if (RANK[caller.role] < RANK[role]) throw new ForbiddenError(scope, what);
  }
}
