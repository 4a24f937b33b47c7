import { describe, expect, it } from 'vitest';
import type { ContributionView, RecommendationView } from '../../web/admin/src/api.js';
import { explanationGraph } from '../../web/admin/src/explanation-graph.js';

const item = (id: string) => ({ id, title: id.toUpperCase(), category: null });
const evidence = (userId: string, itemId: string, weight: number): ContributionView => ({
  hop: 2,
  layer: 1,
  weight,
  headWeights: [weight, weight],
  share: weight * 10,
  item: item(itemId),
  user: { id: userId },
});
const recommendation: RecommendationView = {
  rank: 1,
  score: 3,
  item: item('rec'),
  explanation: {
    kind: 'ATTENTION',
    summary: 'Because you liked A and B.',
    modelVersion: 'v1',
    contributions: [
      { hop: 1, layer: 2, weight: 0.6, headWeights: [0.5, 0.7], share: 2, item: item('a'), user: null, evidence: [evidence('v', 'a', 0.2), evidence('w', 'a', 0.1)] },
      { hop: 1, layer: 2, weight: 0.3, headWeights: [0.3, 0.3], share: 1, item: item('b'), user: null, evidence: [evidence('v', 'b', 0.05)] },
    ],
  },
};

describe('the explanation graph', () => {
  const graph = explanationGraph('u', recommendation);

  it('has the recommended item, the user, their items and each co-user once, in columns', () => {
    expect(graph.nodes.map((n) => [n.id, n.role, n.column])).toEqual([
      ['item:rec', 'recommended', 0],
      ['user:u', 'user', 1],
      ['item:a', 'item', 2],
      ['user:v', 'co-user', 3],
      ['user:w', 'co-user', 3],
      ['item:b', 'item', 2],
    ]);
  });

  it('carries the API’s weights on the edges, with strength relative to the strongest edge of each kind', () => {
    expect(graph.edges.map((e) => [e.id, e.kind, e.weight, e.strength])).toEqual([
      ['user:u->item:rec', 'score', 3, 1],
      ['item:a->user:u', 'layer-2', 0.6, 1],
      ['user:v->item:a', 'layer-1', 0.2, 1],
      ['user:w->item:a', 'layer-1', 0.1, 0.5],
      ['item:b->user:u', 'layer-2', 0.3, 0.5],
      ['user:v->item:b', 'layer-1', 0.05, 0.25],
    ]);
  });
});
