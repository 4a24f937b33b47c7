import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type FieldNode,
  type FragmentSpreadNode,
  type GraphQLResolveInfo,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';

type SelectionInfo = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'variableValues'>;

/**
 * Whether the field being resolved selects the field `name` directly beneath it (not deeper), also
 * through inline fragments and fragment spreads, with `@skip` and `@include` applied as GraphQL
 * execution applies them. With more names, each is looked for beneath the previous one
 * (`selectsField(info, 'nodes', 'explanation')`).
 */
export function selectsField(info: SelectionInfo, ...path: [string, ...string[]]): boolean {
  const included = (node: FieldNode | FragmentSpreadNode | InlineFragmentNode) =>
    getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.['if'] !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.['if'] !== false;
  /** The fields named `name` directly beneath `set`, through fragments. */
  const beneath = (set: SelectionSetNode | undefined, name: string, visited: Set<string>): FieldNode[] =>
    (set?.selections ?? []).flatMap((selection): FieldNode[] => {
      if (!included(selection)) return [];
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === name ? [selection] : [];
        case Kind.INLINE_FRAGMENT:
          return beneath(selection.selectionSet, name, visited);
        case Kind.FRAGMENT_SPREAD: {
          const fragment = selection.name.value;
          if (visited.has(fragment)) return [];
          visited.add(fragment);
          return beneath(info.fragments[fragment]?.selectionSet, name, visited);
        }
      }
    });
  let fields: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) fields = fields.flatMap((field) => beneath(field.selectionSet, name, new Set()));
  return fields.length > 0;
}
