/**
 * An open-loop load generator: requests leave on a schedule fixed before the run, whether or not
 * earlier ones have been answered, and each latency counts from the request's scheduled start. A
 * closed loop (autocannon, even with a rate) sends the next request only when a connection is free,
 * so a stalled server also stalls the sending and the queueing never shows in the latencies
 * ("coordinated omission"); here the stall shows, as the time between schedule and answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { build, type Histogram } from 'hdr-histogram-js';
import { Pool } from 'undici';
import { SeededRandom } from '../src/graph/demo/random.js';

/**
 * `poisson`: exponential gaps, as from many independent users (bursts included, the default);
 * `constant`: equal gaps (wrk2's and vegeta's default pacing), the same rate without bursts.
 */
export type Arrivals = 'poisson' | 'constant';

/** When each request is due, in ms from the start, in order: rate × seconds of them. */
export function arrivalSchedule(rate: number, seconds: number, arrivals: Arrivals, seed = 1): Float64Array {
  if (!(rate > 0) || !(seconds > 0)) throw new RangeError(`rate and seconds must be positive, got ${rate} and ${seconds}`);
  const count = Math.round(rate * seconds);
  const gapMs = 1000 / rate;
  const schedule = new Float64Array(count);
  if (arrivals === 'constant') {
    for (let i = 0; i < count; i++) schedule[i] = i * gapMs;
    return schedule;
  }
  const random = new SeededRandom(seed);
  let at = 0;
  for (let i = 0; i < count; i++) {
    schedule[i] = at;
    at += -Math.log(1 - random.next()) * gapMs;
  }
  return schedule;
}

/** What became of one request; times in ms on one clock. */
export interface Outcome {
  readonly scheduledAt: number;
  readonly sentAt: number;
  readonly answeredAt: number;
  /** HTTP status, or null when no answer came (connection error, timeout). */
  readonly status: number | null;
  /** A 2xx answer that is no clean GraphQL result: it carries `errors`, or is no JSON. */
  readonly graphqlErrors: boolean;
}

interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface OpenLoopReport {
  readonly arrivals: Arrivals;
  /** Requests per second asked for. */
  readonly offeredRate: number;
  readonly scheduled: number;
  /** Answers of any status per second, from the schedule's start to the last answer. */
  readonly achievedRate: number;
  /** From scheduled start to answer (ms): what a user arriving on schedule waits. */
  readonly latencyMs: Percentiles;
  /** latencyMs.p99 ÷ latencyMs.p50: how much worse the unlucky 1% wait than the typical request (issue 19's target: ≤ 3 at half saturation). */
  readonly p99OverP50: number;
  /** From actual send to answer (ms): the server's part, without the generator's own lag. */
  readonly serviceMs: Percentiles;
  /** How far sends fell behind their schedule (ms): a generator short of CPU shows here. */
  readonly sendLagMs: Percentiles;
  /** Sends more than LATE_AFTER_MS behind their schedule. */
  readonly lateSends: number;
  /** No answer: connection errors and timeouts. */
  readonly errors: number;
  readonly non2xx: number;
  readonly graphqlErrors: number;
}

/** Beyond the ~1 ms granularity of Node's timers, a late send means the generator fell behind. */
export const LATE_AFTER_MS = 1;

/** A histogram of milliseconds, kept in microseconds to 3 significant digits. */
function histogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

function percentilesMs(h: Histogram): Percentiles {
  const ms = (us: number) => us / 1000;
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

/** The report of a run from its outcomes; latencies count answered requests only. */
export function openLoopReport(outcomes: readonly Outcome[], offeredRate: number, arrivals: Arrivals): OpenLoopReport {
  const latency = histogram();
  const service = histogram();
  const lag = histogram();
  const us = (ms: number) => Math.max(0, Math.round(ms * 1000));
  let lateSends = 0;
  let errors = 0;
  let non2xx = 0;
  let graphqlErrors = 0;
  let start = Infinity;
  let lastAnswer = -Infinity;
  for (const o of outcomes) {
    start = Math.min(start, o.scheduledAt);
    const sendLag = o.sentAt - o.scheduledAt;
    lag.recordValue(us(sendLag));
    if (sendLag > LATE_AFTER_MS) lateSends++;
    if (o.status === null) {
      errors++;
      continue;
    }
    lastAnswer = Math.max(lastAnswer, o.answeredAt);
    latency.recordValue(us(o.answeredAt - o.scheduledAt));
    service.recordValue(us(o.answeredAt - o.sentAt));
    if (o.status < 200 || o.status > 299) non2xx++;
    else if (o.graphqlErrors) graphqlErrors++;
  }
  const answered = outcomes.length - errors;
  const latencyMs = percentilesMs(latency);
  return {
    arrivals,
    offeredRate,
    scheduled: outcomes.length,
    achievedRate: answered > 0 && lastAnswer > start ? (answered * 1000) / (lastAnswer - start) : 0,
    latencyMs,
    p99OverP50: latencyMs.p99 / latencyMs.p50,
    serviceMs: percentilesMs(service),
    sendLagMs: percentilesMs(lag),
    lateSends,
    errors,
    non2xx,
    graphqlErrors,
  };
}

/** One line for a console: the percentiles, the target ratio, errors and how late the generator was. */
export function summaryLine(report: OpenLoopReport): string {
  const { latencyMs: ms, sendLagMs } = report;
  const failed = report.errors + report.non2xx + report.graphqlErrors;
  return (
    `${report.arrivals} arrivals at ${report.offeredRate.toFixed(0)} req/s (achieved ${report.achievedRate.toFixed(0)}): ` +
    `p50 ${ms.p50.toFixed(2)} ms, p90 ${ms.p90.toFixed(2)} ms, p99 ${ms.p99.toFixed(2)} ms, max ${ms.max.toFixed(1)} ms; ` +
    `p99/p50 ${report.p99OverP50.toFixed(2)} (target ≤ 3); failed ${failed} of ${report.scheduled}; ` +
    `sends late by > ${LATE_AFTER_MS} ms: ${report.lateSends} (lag p99 ${sendLagMs.p99.toFixed(2)} ms, max ${sendLagMs.max.toFixed(1)} ms)`
  );
}

export interface OpenLoopOptions {
  /** The endpoint, e.g. http://127.0.0.1:4000/graphql. */
  readonly url: string;
  /** POST bodies, sent in turn. */
  readonly bodies: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly rate: number;
  readonly seconds: number;
  /** Seconds at the same rate before, on the same connections, not reported. */
  readonly warmupSeconds?: number;
  readonly arrivals: Arrivals;
  /**
   * Most connections open at once; a request finding all busy waits in the pool, and that wait
   * counts in its latency. Large, so that it is the server that queues, not the generator.
   */
  readonly connections?: number;
  /** An answer later than this counts as an error (ms). */
  readonly timeoutMs?: number;
  readonly seed?: number;
}

/** Drives `url` at a fixed arrival rate and reports latencies from each request's scheduled start. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopReport> {
  const { url, bodies, rate, arrivals } = options;
  const endpoint = new URL(url);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pool = new Pool(endpoint.origin, {
    connections: options.connections ?? 512,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const headers = { 'content-type': 'application/json', ...options.headers };
  const send = async (scheduledAt: number, body: string): Promise<Outcome> => {
    const sentAt = performance.now();
    try {
      const response = await pool.request({ path: endpoint.pathname + endpoint.search, method: 'POST', headers, body });
      const text = await response.body.text();
      const answeredAt = performance.now();
      const ok = response.statusCode >= 200 && response.statusCode <= 299;
      return { scheduledAt, sentAt, answeredAt, status: response.statusCode, graphqlErrors: ok && hasGraphqlErrors(text) };
    } catch {
      return { scheduledAt, sentAt, answeredAt: performance.now(), status: null, graphqlErrors: false };
    }
  };
  /** Sends on `schedule` from now, every request at its time whatever the earlier ones do. */
  const drive = async (schedule: Float64Array): Promise<Outcome[]> => {
    const answers: Promise<Outcome>[] = [];
    const start = performance.now();
    let next = 0;
    while (next < schedule.length) {
      // Everything due by now leaves at once: after a stall the generator catches up in a burst, as users would arrive.
      const now = performance.now() - start;
      for (; next < schedule.length && schedule[next]! <= now; next++) answers.push(send(start + schedule[next]!, bodies[next % bodies.length]!));
      if (next < schedule.length) await sleep(schedule[next]! - (performance.now() - start));
    }
    return Promise.all(answers);
  };
  try {
    const seed = options.seed ?? 1;
    if (options.warmupSeconds) await drive(arrivalSchedule(rate, options.warmupSeconds, arrivals, seed + 1));
    return openLoopReport(await drive(arrivalSchedule(rate, options.seconds, arrivals, seed)), rate, arrivals);
  } finally {
    await pool.close();
  }
}

function hasGraphqlErrors(text: string): boolean {
  try {
    return (JSON.parse(text) as { errors?: unknown }).errors !== undefined;
  } catch {
    return true;
  }
}
