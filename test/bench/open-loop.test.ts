import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrivalSchedule, LATE_AFTER_MS, openLoopReport, runOpenLoop, type Outcome } from '../../bench/open-loop.js';

describe('the arrival schedule', () => {
  it('spaces constant arrivals by 1/rate, rate × seconds of them', () => {
    expect([...arrivalSchedule(4, 1.5, 'constant')]).toEqual([0, 250, 500, 750, 1000, 1250]);
  });

  it('draws Poisson arrivals in order, the same for a seed, with mean gap 1/rate', () => {
    const schedule = arrivalSchedule(1000, 20, 'poisson', 7);
    expect(schedule).toHaveLength(20_000);
    expect(schedule[0]).toBe(0);
    expect(schedule.every((at, i) => i === 0 || at >= schedule[i - 1]!)).toBe(true);
    const meanGapMs = schedule[schedule.length - 1]! / (schedule.length - 1);
    expect(meanGapMs).toBeGreaterThan(0.97);
    expect(meanGapMs).toBeLessThan(1.03);
    expect(arrivalSchedule(1000, 20, 'poisson', 7)).toEqual(schedule);
    expect(arrivalSchedule(1000, 20, 'poisson', 8)).not.toEqual(schedule);
  });

  it('refuses a rate or duration that is not positive', () => {
    expect(() => arrivalSchedule(0, 1, 'constant')).toThrow(RangeError);
    expect(() => arrivalSchedule(10, -1, 'poisson')).toThrow(RangeError);
  });
});

/** An answered request due at `scheduledAt`, sent `lag` ms late, answered `service` ms after sending. */
const answered = (scheduledAt: number, lag: number, service: number, status = 200, graphqlErrors = false): Outcome => ({
  scheduledAt,
  sentAt: scheduledAt + lag,
  answeredAt: scheduledAt + lag + service,
  status,
  graphqlErrors,
});

describe('the open-loop report', () => {
  it('counts latency from the scheduled start, so a late send adds to it', () => {
    // 100 requests 10 ms apart, each served in 2 ms; every tenth sent 8 ms late.
    const outcomes = Array.from({ length: 100 }, (_, i) => answered(i * 10, i % 10 === 9 ? 8 : 0, 2));
    const report = openLoopReport(outcomes, 100, 'constant');
    expect(report.latencyMs.p50).toBeCloseTo(2, 2);
    expect(report.latencyMs.p99).toBeCloseTo(10, 1);
    expect(report.latencyMs.max).toBeCloseTo(10, 1);
    expect(report.serviceMs.p99).toBeCloseTo(2, 2);
    expect(report.p99OverP50).toBeCloseTo(5, 1);
    expect(report.lateSends).toBe(10);
    expect(report.sendLagMs.max).toBeCloseTo(8, 1);
  });

  it('takes percentiles to 3 significant digits', () => {
    const outcomes = Array.from({ length: 1000 }, (_, i) => answered(i, 0, i + 1));
    const { latencyMs } = openLoopReport(outcomes, 1000, 'poisson');
    for (const [value, expected] of [[latencyMs.p50, 500], [latencyMs.p90, 900], [latencyMs.p99, 990], [latencyMs.max, 1000]] as const) {
      expect(Math.abs(value - expected) / expected).toBeLessThan(0.002);
    }
  });

  it('does not count a send within the timer granularity as late', () => {
    const report = openLoopReport([answered(0, LATE_AFTER_MS, 1), answered(5, LATE_AFTER_MS + 0.5, 1)], 200, 'constant');
    expect(report.lateSends).toBe(1);
  });

  it('separates unanswered requests, non-2xx answers and GraphQL errors, and times answered ones only', () => {
    const outcomes: Outcome[] = [
      answered(0, 0, 1),
      answered(10, 0, 3, 503),
      answered(20, 0, 2, 200, true),
      { scheduledAt: 30, sentAt: 30, answeredAt: 30_030, status: null, graphqlErrors: false },
    ];
    const report = openLoopReport(outcomes, 100, 'constant');
    expect(report).toMatchObject({ scheduled: 4, errors: 1, non2xx: 1, graphqlErrors: 1 });
    expect(report.latencyMs.max).toBeCloseTo(3, 2);
    // 3 answers from the schedule's start (0) to the last answer (22 ms).
    expect(report.achievedRate).toBeCloseTo(3000 / 22, 3);
  });
});

describe('runOpenLoop against a local server', () => {
  let server: Server;
  let url: string;
  const seen: { body: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    // Answers 200 with data, but 500 for body "fail" and a GraphQL error for body "bad".
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        seen.push({ body, authorization: req.headers.authorization });
        res.statusCode = body === 'fail' ? 500 : 200;
        res.setHeader('content-type', 'application/json');
        res.end(body === 'bad' ? '{"errors":[{"message":"no"}]}' : '{"data":{"__typename":"Query"}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends every scheduled request once, bodies in turn, with the headers given, and counts each kind of answer', async () => {
    const report = await runOpenLoop({
      url,
      bodies: ['ok', 'fail', 'bad', 'ok'],
      headers: { authorization: 'Bearer k' },
      rate: 200,
      seconds: 0.2,
      arrivals: 'constant',
      connections: 8,
    });
    expect(report.scheduled).toBe(40);
    expect(seen.map((s) => s.body).sort()).toEqual([...Array(20).fill('ok'), ...Array(10).fill('bad'), ...Array(10).fill('fail')].sort());
    expect(seen.every((s) => s.authorization === 'Bearer k')).toBe(true);
    expect(report).toMatchObject({ errors: 0, non2xx: 10, graphqlErrors: 10 });
  });

  it('sends the warm-up first and reports only the measured requests', async () => {
    seen.length = 0;
    const report = await runOpenLoop({ url, bodies: ['ok'], rate: 200, seconds: 0.1, warmupSeconds: 0.05, arrivals: 'poisson' });
    expect(seen).toHaveLength(30);
    expect(report).toMatchObject({ scheduled: 20, errors: 0, non2xx: 0, graphqlErrors: 0 });
  });

  it('counts a refused connection as an error, not as an answer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const report = await runOpenLoop({ url: `http://127.0.0.1:${port}/graphql`, bodies: ['ok'], rate: 100, seconds: 0.05, arrivals: 'constant' });
    expect(report).toMatchObject({ scheduled: 5, errors: 5, non2xx: 0, achievedRate: 0 });
  });
});
