import type { GraphStore, ItemRecord, Neighbourhood } from '../graph/index.js';
import { modelWeight } from '../graph/index.js';
import { addScaled, assembleBatch, readUserScores, unitVector, type ItemVector, type RecommendationModel } from '../inference/index.js';
import { withoutInteractions } from './ignored-interactions.js';

/** How the serving model knows an item. */
export type ItemKnowledge = 'TRAINED' | 'INDUCTIVE' | 'CONTENT' | 'NONE';

/** Vectors in the model's item space from items' text, or null where an item has none to give. */
export interface ContentVectors {
  vectorsFor(items: readonly ItemRecord[]): Promise<(Float32Array | null)[]>;
}

/** The most recent users an item's inductive vector is estimated from. */
export const INDUCTIVE_USERS = 32;
/** Users (item–user pairs) per model run while estimating. */
const ROWS_PER_RUN = 256;

/**
 * Gives the items the model was not trained on a row in its tables (docs/model.md, New items): the
 * weighted mean direction of the representations `h_u` of their most recent users, each computed
 * by the model itself from the user's neighbourhood without the item, with the item's content
 * vector as a prior worth `priorWeight` users, scaled to the trained rows' median norm. An item with
 * neither users nor content gets no row and is not recommended.
 */
export class NewItems {
  private readonly knowledge = new Map<string, 'INDUCTIVE' | 'CONTENT'>();

  constructor(
    private readonly store: GraphStore,
    private readonly model: RecommendationModel,
    private readonly content: ContentVectors | null,
  ) {}

  knowledgeOf(itemId: string): ItemKnowledge {
    if (this.model.vocabulary.isTrained(itemId)) return 'TRAINED';
    return this.knowledge.get(itemId) ?? 'NONE';
  }

  /** Items with an estimated row, by how they are known. */
  counts(): Readonly<Record<'INDUCTIVE' | 'CONTENT', number>> {
    const counts = { INDUCTIVE: 0, CONTENT: 0 };
    for (const kind of this.knowledge.values()) counts[kind]++;
    return counts;
  }

  /** (Re-)estimates `items`' rows from their users and content now; trained items are left as they are. */
  async refresh(items: readonly ItemRecord[]): Promise<void> {
    const fresh = items.filter((item) => !this.model.vocabulary.isTrained(item.id));
    if (fresh.length === 0) return;
    const [users, contents] = await Promise.all([
      this.store.itemUsers(
        fresh.map((item) => item.id),
        INDUCTIVE_USERS,
      ),
      this.content ? this.content.vectorsFor(fresh) : fresh.map(() => null),
    ]);
    const evidence = await this.userDirections(fresh, users);
    const { itemNorm, priorWeight } = this.model.metadata.inductive;
    const vectors: ItemVector[] = [];
    fresh.forEach((item, i) => {
      const sum = new Float32Array(this.model.metadata.embeddingDim);
      let weight = 0;
      for (const { direction, weight: w } of evidence[i]!) {
        addScaled(sum, direction, w);
        weight += w;
      }
      const content = contents[i];
      if (content) addScaled(sum, unitVector(content), priorWeight);
      const norm = Math.hypot(...sum);
      if (norm === 0) return;
      vectors.push({ id: item.id, vector: sum.map((x) => (x / norm) * itemNorm) });
      this.knowledge.set(item.id, weight > 0 ? 'INDUCTIVE' : 'CONTENT');
    });
    if (vectors.length > 0) this.model.writeItemVectors(vectors);
  }

  /** For each item, the unit `h_u` of each of its users who has a representation, with the edge weight. */
  private async userDirections(
    items: readonly ItemRecord[],
    users: readonly (readonly { userId: string; weight: number }[])[],
  ): Promise<{ direction: Float32Array; weight: number }[][]> {
    const evidence = items.map((): { direction: Float32Array; weight: number }[] => []);
    const distinct = [...new Set(users.flat().map((u) => u.userId))];
    if (distinct.length === 0) return evidence;
    const [hop1, hop2] = this.model.metadata.fanouts;
    // One more hop-1 slot: the item itself leaves each of its users' neighbourhoods.
    const neighbourhoods = new Map((await this.store.neighbourhoods(distinct, { hop1: hop1 + 1, hop2 })).map((n) => [n.userId, n]));
    const pairs = items.flatMap((item, i) =>
      users[i]!.map((u) => ({ i, weight: modelWeight(u.weight), neighbourhood: withoutInteractions(neighbourhoods.get(u.userId)!, [item.id], hop1) })),
    );
    for (let lo = 0; lo < pairs.length; lo += ROWS_PER_RUN) {
      const chunk = pairs.slice(lo, lo + ROWS_PER_RUN);
      const directions = await this.representations(chunk.map((p) => p.neighbourhood));
      chunk.forEach((pair, k) => {
        const direction = directions[k];
        if (direction) evidence[pair.i]!.push({ direction, weight: pair.weight });
      });
    }
    return evidence;
  }

  /** The model's unit `h_u` of each neighbourhood; null for one with no item the model knows. */
  private async representations(neighbourhoods: readonly Neighbourhood[]): Promise<(Float32Array | null)[]> {
    const n = this.model.vocabulary.itemCount;
    const batch = assembleBatch(
      neighbourhoods,
      neighbourhoods.map(() => new Float32Array(n)),
      this.model.vocabulary,
      1,
      0,
    );
    const outputs = await this.model.run(batch.inputs);
    return neighbourhoods.map((_, row) => {
      if (batch.slots[row]!.items.length === 0) return null;
      const h = readUserScores(outputs, row).userVector;
      return Math.hypot(...h) > 0 ? unitVector(h) : null;
    });
  }
}
