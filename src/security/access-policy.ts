import type { Logger } from 'pino';
import type { AccessOptions, Role } from '../config.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { ApiKeyRing } from './api-keys.js';
import { looksLikeJwt, UserTokens } from './user-tokens.js';

/**
 * Who is calling: nobody known; a trusted service with an API key (or anyone, when the API is
 * open); or an end user, by the subject of their token, who may touch only their own data.
 */
export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'service'; readonly role: Role }
  | { readonly kind: 'subject'; readonly userId: string };

const RANK: Readonly<Record<Role, number>> = { reader: 1, writer: 2, admin: 3 };
const BEARER = /^Bearer ([^\s]+)$/;

/**
 * Roles, API keys and user tokens. With neither keys nor token verification configured the API is
 * open: every caller acts as admin (development; production refuses to start so unless
 * ALLOW_OPEN_MUTATIONS is set).
 */
export class AccessPolicy {
  private readonly keys: ApiKeyRing;
  private readonly tokens: UserTokens | null;

  constructor(
    private readonly options: AccessOptions,
    logger: Logger,
  ) {
    this.keys = new ApiKeyRing(options.apiKeys);
    this.tokens = options.userTokens === null ? null : new UserTokens(options.userTokens, logger);
  }

  get open(): boolean {
    return this.keys.size === 0 && this.tokens === null;
  }

  /** Whether anonymous callers may read the catalogue and model info. */
  get publicReads(): boolean {
    return this.open || this.options.publicReads;
  }

  /** The caller behind an `Authorization` header; a header with no valid credential is refused, not ignored. */
  async authenticate(authorization: string | undefined): Promise<Caller> {
    if (this.open) return { kind: 'service', role: 'admin' };
    if (authorization === undefined) return { kind: 'anonymous' };
    const credential = BEARER.exec(authorization)?.[1] ?? '';
    const role = this.keys.roleOf(credential);
    if (role !== null) return { kind: 'service', role };
    const userId = this.tokens !== null && looksLikeJwt(credential) ? await this.tokens.subject(credential) : null;
    if (userId === null) throw new UnauthenticatedError('These credentials are not valid.');
    return { kind: 'subject', userId };
  }

  /** Throws UNAUTHENTICATED for an anonymous caller, FORBIDDEN for a caller without a key of `role`. */
  require(caller: Caller, role: Role, what: string): void {
    if (caller.kind === 'anonymous') throw new UnauthenticatedError();
    if (caller.kind === 'subject' || RANK[caller.role] < RANK[role]) throw new ForbiddenError(what);
  }

  /** Whether `caller` has a key of at least `role`. */
  static holds(caller: Caller, role: Role): boolean {
    return caller.kind === 'service' && RANK[caller.role] >= RANK[role];
  }
}
