import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { describeRule, EXPLANATION_KINDS, formatSharedUsers, kindPresentation, knownKind } from '../../web/admin/src/explanation-kinds.js';

const schemaKinds = parse(readFileSync('schema.graphql', 'utf8'))
  .definitions.flatMap((d) => (d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'ExplanationKind' ? (d.values ?? []) : []))
  .map((v) => v.name.value);

describe('the panel’s explanation kinds', () => {
  it('are exactly the schema’s', () => {
    expect([...EXPLANATION_KINDS].sort()).toEqual([...schemaKinds].sort());
    for (const kind of schemaKinds) expect(knownKind(kind)).toBe(kind);
  });

  it('draw the attention graph for the model’s kinds and only the sentence for the others', () => {
    expect(Object.fromEntries(schemaKinds.map((kind) => [kind, kindPresentation(kind).drawsGraph]))).toEqual({
      ATTENTION: true,
      CONTENT: true,
      POPULARITY_FALLBACK: true,
      SIMILAR_ITEMS: false,
      RULE: false,
    });
    expect(kindPresentation('ATTENTION').note).toBeNull();
    expect(kindPresentation('POPULARITY_FALLBACK').note).toMatch(/^Popularity fallback:/);
    expect(kindPresentation('RULE').note).toMatch(/^Business rule:/);
  });

  it('show a kind the panel predates as its sentence, naming the kind, without throwing', () => {
    expect(knownKind('SOMETHING_NEWER')).toBeNull();
    expect(kindPresentation('SOMETHING_NEWER')).toEqual({
      drawsGraph: false,
      note: 'This panel does not know the explanation kind SOMETHING_NEWER: only the API’s sentence is shown.',
    });
  });
});

describe('an applied rule', () => {
  it('says what it did, its name, and its factor or position', () => {
    expect(describeRule({ kind: 'BOOST', name: 'summer', factor: 1.5, position: null })).toBe('Boosted by “summer” (score × 1.5)');
    expect(describeRule({ kind: 'BURY', name: 'old stock', factor: 0.5, position: null })).toBe('Buried by “old stock” (score × 0.5)');
    expect(describeRule({ kind: 'PIN', name: 'launch', factor: null, position: 1 })).toBe('Pinned by “launch” at position 1');
    expect(describeRule({ kind: 'LIMIT', name: 'newer', factor: null, position: null })).toBe('limit rule “newer”');
  });

  it('counts shared users in words', () => {
    expect([0, 1, 2].map(formatSharedUsers)).toEqual(['0 users', '1 user', '2 users']);
  });
});
