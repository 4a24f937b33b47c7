/**
 * Summaries of a V8 `.cpuprofile` (what `node --cpu-prof` writes): self time by function and by
 * module, so a profile can be read in a table rather than a flame graph.
 */

export interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  /** Monotonic clock, µs: the same clock as `process.hrtime` of any process on the machine. */
  readonly startTime: number;
  readonly endTime: number;
}

/** The profile cut to the samples taken between `from` and `to` (µs on the profile's clock). */
export function window(profile: CpuProfile, from: number, to: number): CpuProfile {
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from || at > to) return;
    samples.push(id);
    timeDeltas.push(profile.timeDeltas[i] ?? 0);
  });
  return { ...profile, samples, timeDeltas, startTime: Math.max(from, profile.startTime), endTime: Math.min(to, profile.endTime) };
}

export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

/**
 * Where a frame's code lives: a package under node_modules (`express`, `@apollo/server`), a Node.js
 * built-in (`node:internal/streams`), our own code (`recograph src/observability/metrics.ts`, from the
 * compiled `dist/` path), or V8's own buckets (`(garbage collector)`, `(program)`, `(idle)`, native code).
 */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packaged) return packaged[1]!;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/[^/]+|[^/]+).*$/, 'node:$1');
  const ours = /\/(dist|src)\/(.+?)(\.js|\.ts)?$/.exec(url);
  if (ours) return `recograph src/${ours[2]}`;
  return url;
}

/** Self time (ms) summed by `key` of each sampled frame, largest first, with shares of the whole profile. */
export function selfTimes(profile: CpuProfile, key: (frame: CpuProfile['nodes'][number]['callFrame']) => string, exclude: readonly string[] = []): SelfTime[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!;
    const name = key(frame);
    if (exclude.includes(name)) return;
    const us = profile.timeDeltas[i] ?? 0;
    all += us;
    totals.set(name, (totals.get(name) ?? 0) + us);
  });
  return [...totals]
    .map(([name, us]) => ({ name, ms: us / 1000, share: all > 0 ? us / all : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

export const byModule = (frame: CpuProfile['nodes'][number]['callFrame']) => moduleOf(frame.url, frame.functionName);
export const byFunction = (frame: CpuProfile['nodes'][number]['callFrame']) =>
  `${frame.functionName || '(anonymous)'} ${moduleOf(frame.url, frame.functionName)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
