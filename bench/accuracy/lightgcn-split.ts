import { readFileSync } from 'node:fs';

/**
 * A LightGCN-format split (`<user> <item> <item> ...` per line) read as item lists per user id.
 * Ids are the decimal indices as strings, as training names them.
 */
export type UserItems = Map<string, string[]>;

export function readSplits(paths: readonly string[]): UserItems {
  const byUser: UserItems = new Map();
  for (const path of paths) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const [user, ...items] = line.trim().split(/\s+/);
      if (!user) continue;
      const list = byUser.get(user) ?? [];
      list.push(...items);
      byUser.set(user, list);
    }
  }
  return byUser;
}
