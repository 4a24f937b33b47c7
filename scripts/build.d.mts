/** Newest modification time (ms) of a file, or of any file under a folder; -Infinity if absent. */
export function newestMtime(path: string): number;
/** An output is stale when it is missing or any input is newer than it. */
export function isStale(inputs: readonly string[], output: string): boolean;
export const ADMIN_INPUTS: readonly string[];
export const ADMIN_OUTPUT: string;
