import type { AppDecorators } from '../../src/app.js';
import type { GraphStore } from '../../src/graph/index.js';

/** What reached the store and the model while the server answered requests. */
export interface RecordedCalls {
  /** Per store method but `ping`, the first argument of each call (for the batched methods: the ids). */
  readonly store: Partial<Record<keyof GraphStore, unknown[]>>;
  /** Per model run, how many users (rows) it ranked. */
  readonly modelRuns: number[];
  /** Per model run, how many ranks it computed contributions for (`explain_ranks`). */
  readonly explainedRanks: number[];
  clear(): void;
}

/** App decorators that record every store call and model run, for tests that count batches. */
export function recordCalls(): { readonly calls: RecordedCalls; readonly decorators: AppDecorators } {
  const calls: RecordedCalls = {
    store: {},
    modelRuns: [],
    explainedRanks: [],
    clear() {
      for (const method of Object.keys(this.store)) delete this.store[method as keyof GraphStore];
      this.modelRuns.length = 0;
      this.explainedRanks.length = 0;
    },
  };
  const store = (target: GraphStore): GraphStore =>
    new Proxy(target, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property, object);
        if (typeof value !== 'function') return value;
        // Readiness probes ping on a timer, not because of a request: not a call worth counting.
        // Bound to the store, so the store's own helpers that ping calls are not counted either.
        if (property === 'ping') return value.bind(object);
        return (...args: unknown[]) => {
          (calls.store[property as keyof GraphStore] ??= []).push(args[0]);
          return value.apply(object, args);
        };
      },
    });
  const decorators: AppDecorators = {
    store,
    model: (model) => ({
      ...model,
      run: (inputs) => {
        calls.modelRuns.push(inputs.hop1_items.dims[0]!);
        calls.explainedRanks.push(inputs.explain_ranks.dims[0]!);
        return model.run(inputs);
      },
    }),
  };
  return { calls, decorators };
}
