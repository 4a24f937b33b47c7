import { createHmac } from 'node:crypto';

/**
 * Used when `ERASURE_SECRET` is unset (development and tests). Being public, hashes under it are no
 * better than unkeyed ones: anyone holding the store could test a guessed id against them.
 */
export const DEVELOPMENT_ERASURE_SECRET = 'recograph-development-erasure-secret-not-for-production';

/** Maps an erased interaction's idempotency id to what the store keeps of it: HMAC-SHA256 under `secret`. */
export type ErasedKeyHash = (key: string) => string;

export function erasedKeyHash(secret: string): ErasedKeyHash {
  return (key) => createHmac('sha256', secret).update(key, 'utf8').digest('base64url');
}
