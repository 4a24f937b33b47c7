import type { ContributionView, RecommendationView } from './api.js';

export type NodeRole = 'recommended' | 'user' | 'item' | 'co-user';

export interface GraphNode {
  readonly id: string;
  readonly role: NodeRole;
  readonly label: string;
  /** Column, left to right: recommended item, user, the user's items, co-users. */
  readonly column: number;
}

export type EdgeKind = 'score' | 'layer-2' | 'layer-1';

export interface GraphEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly kind: EdgeKind;
  /** The API's attention weight (layer edges) or the score (the score edge), unrounded. */
  readonly weight: number;
  readonly headWeights: readonly number[];
  readonly share: number;
  /** `weight` relative to the largest weight of the same kind, in [0, 1]: drives width and colour. */
  readonly strength: number;
}

export interface ExplanationGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export const userNodeId = (id: string) => `user:${id}`;
export const itemNodeId = (id: string) => `item:${id}`;

/**
 * The explanation of one recommendation as a graph, read right to left as the model computes it:
 * co-users flow into the user's items (layer 1), the items into the user (layer 2), and the user's
 * vector scores the recommended item. Co-users reached through several items are one node.
 */
export function explanationGraph(userId: string, recommendation: RecommendationView): ExplanationGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: Omit<GraphEdge, 'strength'>[] = [];
  const add = (node: GraphNode) => nodes.has(node.id) || nodes.set(node.id, node);
  const recommended = itemNodeId(recommendation.item.id);
  const user = userNodeId(userId);
  add({ id: recommended, role: 'recommended', label: recommendation.item.title, column: 0 });
  add({ id: user, role: 'user', label: userId, column: 1 });
  edges.push({
    id: `${user}->${recommended}`,
    source: user,
    target: recommended,
    kind: 'score',
    weight: recommendation.score,
    headWeights: [],
    share: recommendation.score,
  });
  for (const contribution of recommendation.explanation.contributions) {
    const item = itemNodeId(contribution.item.id);
    add({ id: item, role: 'item', label: contribution.item.title, column: 2 });
    edges.push(edgeOf(item, user, 'layer-2', contribution));
    for (const evidence of contribution.evidence ?? []) {
      if (!evidence.user) continue;
      const coUser = userNodeId(evidence.user.id);
      add({ id: coUser, role: 'co-user', label: evidence.user.id, column: 3 });
      edges.push(edgeOf(coUser, item, 'layer-1', evidence));
    }
  }
  const strongest = new Map<EdgeKind, number>();
  for (const e of edges) strongest.set(e.kind, Math.max(strongest.get(e.kind) ?? 0, Math.abs(e.weight)));
  return {
    nodes: [...nodes.values()],
    edges: edges.map((e) => ({ ...e, strength: Math.abs(e.weight) / (strongest.get(e.kind) || 1) })),
  };
}

const edgeOf = (source: string, target: string, kind: EdgeKind, c: ContributionView): Omit<GraphEdge, 'strength'> => ({
  id: `${source}->${target}`,
  source,
  target,
  kind,
  weight: c.weight,
  headWeights: c.headWeights,
  share: c.share,
});

/** Numbers as the panel shows them everywhere, so a reader can match graph, tables and API. */
export const formatWeight = (value: number) => value.toFixed(4);
