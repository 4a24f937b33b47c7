import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { Histogram } from 'prom-client';
import { secondsSince, type Metrics } from './metrics.js';

const MAX_FIELDS_LABEL = 120;

/**
 * Records each operation's latency, its parse/validate/execute times and its errors by code. The
 * latency label is the operation type and its root fields: bounded by the schema, unlike
 * client-chosen operation names.
 */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin {
  // The latency child of each parsed operation, kept as long as Apollo keeps the document.
  const latencyOf = new WeakMap<OperationDefinitionNode, Histogram.Internal<'type' | 'fields'>>();
  const latency = (operation: OperationDefinitionNode | undefined) => {
    if (operation === undefined) return metrics.requestDuration.labels('none', '');
    let child = latencyOf.get(operation);
    if (child === undefined) {
      child = metrics.requestDuration.labels(operation.operation, rootFields(operation));
      latencyOf.set(operation, child);
    }
    return child;
  };
  return {
    async requestDidStart() {
      const received = process.hrtime.bigint();
      return {
        async parsingDidStart() {
          const start = process.hrtime.bigint();
          return async () => metrics.observeStage('parse', secondsSince(start));
        },
        async validationDidStart() {
          const start = process.hrtime.bigint();
          return async () => metrics.observeStage('validate', secondsSince(start));
        },
        async executionDidStart() {
          const start = process.hrtime.bigint();
          return { async executionDidEnd() { metrics.observeStage('execute', secondsSince(start)); } };
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) metrics.errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
        },
        async willSendResponse({ operation }) {
          latency(operation).observe(secondsSince(received));
        },
      };
    },
  };
}

function rootFields(operation: OperationDefinitionNode): string {
  const names = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    names.add(selection.kind === Kind.FIELD ? selection.name.value : '(fragment)');
  }
  return [...names].sort().join(',').slice(0, MAX_FIELDS_LABEL);
}

/** Apollo's `stringifyResult`, timed as the `serialise` stage. */
export function timedStringify(metrics: Metrics) {
  return (value: unknown): string => {
    const start = process.hrtime.bigint();
    const json = JSON.stringify(value);
    metrics.observeStage('serialise', secondsSince(start));
    return json;
  };
}
