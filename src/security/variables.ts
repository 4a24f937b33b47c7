import { getVariableValues, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/**
 * The operation's variables as execution will see them (defaults applied, values coerced), or null
 * when they do not coerce: execution then refuses the operation with BAD_USER_INPUT before
 * resolving anything, so checks before it may let it through.
 */
export function coercedVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  inputs: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> | null {
  const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], inputs ?? {});
  return errors === undefined ? coerced : null;
}
