import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { ValidationRule } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { QueryLimits } from '../config.js';
import { QueryLimitError, type QueryLimitCode } from '../errors.js';

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

/**
 * Cost = fields resolved: every field counts 1 plus its selections, times the list size its
 * arguments ask for (`first`, capped by a known bound; the length of `input` or of `_entities`'
 * `representations`), multiplied through nesting.
 */
export function costEstimator(bounds: ListBounds): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    let size = 1;
    if (typeof args.first === 'number') size = Math.max(0, Math.min(args.first, bounds[`${type.name}.${field.name}`] ?? Infinity));
    else if (Array.isArray(args.input)) size = args.input.length;
    else if (Array.isArray(args.representations)) size = args.representations.length; // federation's _entities
    return size * (1 + childComplexity);
  };
}

/**
 * Rejects operations whose cost exceeds `limits.cost`. Runs once the operation is known, so the
 * variables count (a validation rule would not see them).
 */
export function queryCostPlugin(limits: QueryLimits, bounds: ListBounds): ApolloServerPlugin {
  const estimators = [costEstimator(bounds)];
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          let cost: number;
          try {
            cost = getComplexity({ schema, query: document, variables: request.variables ?? {}, operationName: request.operationName, estimators });
          } catch {
            return; // variables that do not fit: execution reports them as BAD_USER_INPUT
          }
          if (cost > limits.cost) {
            throw new QueryLimitError('QUERY_TOO_COSTLY', `Query cost limit of ${limits.cost} exceeded, found ${cost}.`, limits.cost);
          }
        },
      };
    },
  };
}
