import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { visit, type DocumentNode, type ValueNode, type ValidationRule } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { QueryLimits } from '../config.js';
import { QueryLimitError, type QueryLimitCode } from '../errors.js';
import { coercedVariables } from './variables.js';

/** GraphQL Armor's reporting, re-coded: one `extensions.code` per limit instead of BAD_USER_INPUT. */
const rejectAs = (code: QueryLimitCode, limit: number) => ({
  n: limit,
  propagateOnRejection: false,
  onReject: [
    (context: { reportError(error: QueryLimitError): void } | null, error: Error) =>
      context?.reportError(new QueryLimitError(code, error.message.replace(/^Syntax Error: /, ''), limit)),
  ],
});

/** Validation rules for depth, aliases and directives (GraphQL Armor). */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [
    maxDepthRule(rejectAs('QUERY_TOO_DEEP', limits.depth)),
    maxAliasesRule(rejectAs('TOO_MANY_ALIASES', limits.aliases)),
    maxDirectivesRule(rejectAs('TOO_MANY_DIRECTIVES', limits.directives)),
  ];
}

/** Upper bounds of list fields whose size the schema does not say, e.g. `{ 'Explanation.contributions': 48 }`. */
export type ListBounds = Readonly<Record<string, number>>;

/** Arguments whose value sets how many times a field's selection is resolved, or how much it reads. */
const SIZE_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'input', 'representations', 'context']);

/** The items of a recommendation `context` (a visit), or 0: each is a neighbour the request reads. */
const visitItems = (context: unknown) =>
  typeof context === 'object' && context !== null && Array.isArray((context as { itemIds?: unknown }).itemIds)
    ? (context as { itemIds: unknown[] }).itemIds.length
    : 0;

/**
 * Cost = fields resolved: every field counts 1 plus its selections, times the list size its
 * arguments ask for (`first`, capped by a known bound; the length of `input` or of `_entities`'
 * `representations`), multiplied through nesting. A recommendation `context` adds one per item
 * of the visit (neighbours read, and multiplied through nesting like the rest); its length is not
 * capped here, so a list longer than validation allows is refused by cost as well.
 */
export function costEstimator(bounds: ListBounds): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    let size = 1;
    if (typeof args.first === 'number') size = Math.max(0, Math.min(args.first, bounds[`${type.name}.${field.name}`] ?? Infinity));
    else if (Array.isArray(args.input)) size = args.input.length;
    else if (Array.isArray(args.representations)) size = args.representations.length; // federation's _entities
    return size * (1 + childComplexity) + visitItems(args.context);
  };
}

/**
 * Fields, fragment spreads included, the estimate visits before giving up: a fan-out of spreads
 * expands exponentially, and one the estimate cannot finish is refused, never let through.
 */
const MAX_ESTIMATED_NODES = 10_000;

/** Costs remembered per document, at most this many variable combinations each (a client varying `first` gets no more). */
const COSTS_PER_DOCUMENT = 32;

interface DocumentCosts {
  /** The variables the cost can depend on: those in size arguments and in directives (`@skip`, `@include`). */
  readonly variables: readonly string[];
  readonly costs: Map<string, number>;
}

/**
 * Rejects operations whose cost exceeds `limits.cost`. Runs once the operation is known, so the
 * variables count (a validation rule would not see them). A document's cost is computed once per
 * operation and values of the variables it depends on, and remembered with the parsed document
 * (Apollo keeps one per query text), so a repeated query pays a map lookup, not a walk of the schema.
 */
export function queryCostPlugin(limits: QueryLimits, bounds: ListBounds): ApolloServerPlugin {
  const estimators = [costEstimator(bounds)];
  const byDocument = new WeakMap<DocumentNode, DocumentCosts>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operation }) {
          // Variables that do not coerce are BAD_USER_INPUT from execution, not a cost refusal.
          if (!operation || coercedVariables(schema, operation, request.variables) === null) return;
          const variables = request.variables ?? {};
          let known = byDocument.get(document);
          if (!known) byDocument.set(document, (known = { variables: costVariables(document), costs: new Map() }));
          const key = costKey(request.operationName, known.variables, variables);
          let cost = known.costs.get(key);
          if (cost === undefined) {
            try {
              cost = getComplexity({
                schema,
                query: document,
                variables,
                operationName: request.operationName,
                estimators,
                maxQueryNodes: MAX_ESTIMATED_NODES,
              });
            } catch {
              cost = Infinity;
            }
            if (known.costs.size < COSTS_PER_DOCUMENT) known.costs.set(key, cost);
          }
          if (cost === Infinity) {
            throw new QueryLimitError('QUERY_TOO_COSTLY', `Query cost limit of ${limits.cost} exceeded: the query expands to more than ${MAX_ESTIMATED_NODES} fields.`, limits.cost);
          }
          if (cost > limits.cost) {
            throw new QueryLimitError('QUERY_TOO_COSTLY', `Query cost limit of ${limits.cost} exceeded, found ${cost}.`, limits.cost);
          }
        },
      };
    },
  };
}

/** Names of the variables used anywhere in a size argument or a directive argument of `document`. */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (value: ValueNode) =>
    visit(value, {
      Variable(node) {
        names.add(node.name.value);
      },
    });
  visit(document, {
    Field(node) {
      for (const arg of node.arguments ?? []) if (SIZE_ARGUMENTS.has(arg.name.value)) collect(arg.value);
    },
    Directive(node) {
      for (const arg of node.arguments ?? []) collect(arg.value);
    },
  });
  return [...names].sort();
}

/**
 * What the cost of one operation can depend on: its name and its cost variables, a list by its
 * length only, and a missing variable (its default applies) apart from an explicit null.
 */
function costKey(operationName: string | null | undefined, names: readonly string[], variables: Record<string, unknown>): string {
  const values = names.map((name) => {
    const value = variables[name];
    if (value === undefined) return { missing: true };
    if (Array.isArray(value)) return { length: value.length };
    // A visit costs by its length: any items, as many, are the same cost.
    return visitItems(value) > 0 ? { visitItems: visitItems(value) } : value;
  });
  return JSON.stringify([operationName ?? null, values]);
}
