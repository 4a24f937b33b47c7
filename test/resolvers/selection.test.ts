import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectsField } from '../../src/resolvers/selection.js';

/** The resolve info of the first root field of `document`, as graphql-js would hand it over. */
function infoOf(document: string, variableValues: Record<string, unknown> = {}) {
  const { definitions } = parse(document);
  const operation = definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const field = operation.selectionSet.selections[0]!;
  if (field.kind !== Kind.FIELD) throw new Error('the first root selection must be a field');
  return { fieldNodes: [field], fragments, variableValues };
}

describe('field selection', () => {
  it('finds a field selected directly', () => {
    expect(selectsField(infoOf('{ recommendations(userId: "u") { rank explanation { summary } } }'), 'explanation')).toBe(true);
    expect(selectsField(infoOf('{ recommendations(userId: "u") { rank item { id } } }'), 'explanation')).toBe(false);
  });

  it('ignores a field of that name deeper down', () => {
    expect(selectsField(infoOf('{ recommendations(userId: "u") { item { explanation: title } } }'), 'explanation')).toBe(false);
  });

  it('finds it through named and inline fragments, nested', () => {
    const named = `query { recommendations(userId: "u") { ...Ranked } }
      fragment Ranked on Recommendation { rank ...Why }
      fragment Why on Recommendation { ... on Recommendation { explanation { kind } } }`;
    expect(selectsField(infoOf(named), 'explanation')).toBe(true);
    const aliased = '{ recommendations(userId: "u") { why: explanation { kind } } }';
    expect(selectsField(infoOf(aliased), 'explanation')).toBe(true);
  });

  it('applies @skip and @include, with variables', () => {
    const query = `query ($why: Boolean!) { recommendations(userId: "u") {
      rank explanation @include(if: $why) { kind } } }`;
    expect(selectsField(infoOf(query, { why: true }), 'explanation')).toBe(true);
    expect(selectsField(infoOf(query, { why: false }), 'explanation')).toBe(false);
    const skipped = '{ recommendations(userId: "u") { ... @skip(if: true) { explanation { kind } } } }';
    expect(selectsField(infoOf(skipped), 'explanation')).toBe(false);
  });

  it('looks at every node of a field selected twice in one operation', () => {
    const info = infoOf('{ recommendations(userId: "u") { rank } }');
    const other = infoOf('{ recommendations(userId: "u") { explanation { kind } } }');
    expect(selectsField({ ...info, fieldNodes: [...info.fieldNodes, ...other.fieldNodes] }, 'explanation')).toBe(true);
  });
});
