import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Logger } from 'pino';
import type { UserTokenOptions } from '../config.js';
import { checkId } from '../graph/index.js';


const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const SYMMETRIC = ['HS256', 'HS384', 'HS512'];

/** A bearer credential shaped like a JWT (three base64url parts); API keys are tried first. */
export const looksLikeJwt = (credential: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(credential);

/**
 * Verifies end-user JWTs (jose): signature, `exp`, and issuer and audience where configured. The
 * token's subject is the user's id, NFC-normalised like every id.
 */
export class UserTokens {
  private readonly verify: (token: string) => Promise<JWTPayload>;

  constructor(
    options: UserTokenOptions,
    private readonly logger: Logger,
  ) {
    const checks = (algorithms: string[]): JWTVerifyOptions => ({
      algorithms,
      requiredClaims: ['sub', 'exp'],
      ...(options.issuer === null ? {} : { issuer: options.issuer }),
      ...(options.audience === null ? {} : { audience: options.audience }),
    });
    if ('jwksUrl' in options) {
      const keys = createRemoteJWKSet(options.jwksUrl);
      this.verify = async (token) => (await jwtVerify(token, keys, checks(ASYMMETRIC))).payload;
    } else {
      const secret = new TextEncoder().encode(options.secret);
      this.verify = async (token) => (await jwtVerify(token, secret, checks(SYMMETRIC))).payload;
    }
  }

  /** The user id a valid token speaks for, or null for a token that is not valid. */
  async subject(token: string): Promise<string | null> {
    try {
      const checked = checkId((await this.verify(token)).sub!);
      return checked.ok ? checked.id : null;
    } catch (error) {
      // A bad token is the caller's problem; a key set that cannot be fetched is the operator's.
      if (!(error instanceof errors.JOSEError) || error instanceof errors.JWKSTimeout) {
        this.logger.warn({ err: error }, 'user token not verified: the key set could not be fetched');
      }
      return null;
    }
  }
}
