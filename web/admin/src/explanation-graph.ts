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
  /**
   * Where `weight` lies between the weakest (0) and the strongest (1) edge of the same kind: drives
   * width and colour, so that close weights still look apart. The numbers shown stay the API's.
   */
  readonly strength: number;
  /** The tooltip: which neighbour, through which layer, with the exact numbers. */
  readonly description: string;
}

export interface ExplanationGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export const userNodeId = (id: string) => `user:${id}`;
export const itemNodeId = (id: string) => `item:${id}`;

/** How the panel names where a contribution sits, the same in graph, tooltips and tables. */
export const hopName = (c: Pick<ContributionView, 'hop' | 'layer'>) => `Hop ${c.hop} (layer ${c.layer})`;

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
  const { kind } = recommendation.explanation;
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
    description: `“${recommendation.item.title}” for ${userId}: score ${formatScore(recommendation.score, kind)}`,
  });
  for (const contribution of recommendation.explanation.contributions) {
    const item = itemNodeId(contribution.item.id);
    const title = `“${contribution.item.title}”`;
    add({ id: item, role: 'item', label: contribution.item.title, column: 2 });
    edges.push(edgeOf(item, user, 'layer-2', contribution, `${userId} attends to their item ${title}`));
    for (const evidence of contribution.evidence ?? []) {
      if (!evidence.user) continue;
      const coUser = userNodeId(evidence.user.id);
      add({ id: coUser, role: 'co-user', label: evidence.user.id, column: 3 });
      edges.push(edgeOf(coUser, item, 'layer-1', evidence, `${title} attends to ${evidence.user.id}, who also has it`));
    }
  }
  const range = new Map<EdgeKind, { min: number; max: number }>();
  for (const e of edges) {
    const r = range.get(e.kind) ?? { min: Infinity, max: -Infinity };
    range.set(e.kind, { min: Math.min(r.min, Math.abs(e.weight)), max: Math.max(r.max, Math.abs(e.weight)) });
  }
  return {
    nodes: [...nodes.values()],
    edges: edges.map((e) => {
      const { min, max } = range.get(e.kind)!;
      return { ...e, strength: max > min ? (Math.abs(e.weight) - min) / (max - min) : 1 };
    }),
  };
}

function edgeOf(source: string, target: string, kind: EdgeKind, c: ContributionView, who: string): Omit<GraphEdge, 'strength'> {
  const heads = c.headWeights.map((w, h) => `head ${h + 1}: ${formatWeight(w)}`).join(', ');
  return {
    id: `${source}->${target}`,
    source,
    target,
    kind,
    weight: c.weight,
    headWeights: c.headWeights,
    share: c.share,
    description: `${hopName(c)}: ${who}. Attention ${formatWeight(c.weight)} (${heads}); share of score ${formatWeight(c.share)}`,
  };
}

/** Numbers as the panel shows them everywhere, so a reader can match graph, tables and API. */
export const formatWeight = (value: number) => value.toFixed(4);

/** A model score to four places; a popularity fallback's score is a count of users. */
export const formatScore = (score: number, kind: RecommendationView['explanation']['kind']) =>
  kind === 'POPULARITY_FALLBACK' ? `${score} ${score === 1 ? 'user' : 'users'}` : formatWeight(score);
