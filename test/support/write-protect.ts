import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';

/**
 * Makes `file` unwritable the way an operator might: immutable for root (who ignores file modes),
 * read-only for anyone else. Returns the undo, or null where this machine cannot do it.
 */
export function writeProtect(file: string): (() => void) | null {
  if (process.getuid?.() !== 0) {
    chmodSync(file, 0o444);
    return () => chmodSync(file, 0o644);
  }
  const chattr = (flag: string) => spawnSync('chattr', [flag, file], { encoding: 'utf8' });
  return chattr('+i').status === 0 ? () => void chattr('-i') : null;
}
