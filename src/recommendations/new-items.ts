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
/** Store users whose representations give the users' common direction; runs of this many score every trained item. */
const CALIBRATION_USERS = 256;
const CALIBRATION_ROWS_PER_RUN = 32;
/** The share of trained rows whose cosine with the users' common direction a new item's is set above. */
const COMMON_DIRECTION_PERCENTILE = 0.9;

/** The users' common direction and the cosine with it an estimated row is given. */
export interface Calibration {
  readonly direction: Float32Array;
  readonly cosine: number;
}

/**
 * Gives the items the model was not trained on a row in its tables (docs/model.md, New items): the
 * weighted mean direction of the representations `h_u` of their most recent users, each computed
 * by the model itself from the user's neighbourhood without the item, with the item's content
 * vector as a prior worth `priorWeight` users, scaled to the trained rows' median norm. An item with
 * neither users nor content gets no row and is not recommended.
 *
 * Any user's `h_u` leans towards the direction all users share, and trained rows mostly point away
 * from it (LastFM: median cosine −0.48), so a plain mean of `h_u`s scored high for everyone: 17 of a
 * user's top 20 were new items (docs/model.md, "New items: measured"). An estimate from users keeps
 * its own direction but gets, along the common one, the cosine of the trained rows' 90th percentile:
 * about as broadly liked as a popular trained item. Chosen on LastFM; on Gowalla new items still
 * take 14 of a top 20, so one global cosine is not the end of it.
 */
export class NewItems {
  private readonly knowledge = new Map<string, 'INDUCTIVE' | 'CONTENT'>();
  private calibration: Promise<Calibration | null> | null = null;

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
    // Only estimates from users are calibrated: an upsert of text-only items never pays for it.
    const calibration = evidence.some((e) => e.length > 0) ? await (this.calibration ??= this.commonDirection()) : null;
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
      const direction = weight > 0 && calibration ? calibrated(unitVector(sum), calibration) : unitVector(sum);
      vectors.push({ id: item.id, vector: direction.map((x) => x * itemNorm) });
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
        const direction = directions[k]?.direction;
        if (direction) evidence[pair.i]!.push({ direction, weight: pair.weight });
      });
    }
    return evidence;
  }

  /**
   * The model's unit `h_u` of each neighbourhood (null for one with no item the model knows); with
   * `withCosines`, also its cosine with every trained row.
   */
  private async representations(
    neighbourhoods: readonly Neighbourhood[],
    withCosines = false,
  ): Promise<({ direction: Float32Array; cosines: Float32Array | null } | null)[]> {
    // A run scores as many rows as its score_bias covers: trained rows come first.
    const n = withCosines ? this.model.vocabulary.trainedItemCount : this.model.vocabulary.itemCount;
    const batch = assembleBatch(
      neighbourhoods,
      neighbourhoods.map(() => new Float32Array(n)),
      this.model.vocabulary,
      withCosines ? n : 1,
      0,
    );
    const outputs = await this.model.run(batch.inputs);
    return neighbourhoods.map((_, row) => {
      if (batch.slots[row]!.items.length === 0) return null;
      const scores = readUserScores(outputs, row);
      const norm = Math.hypot(...scores.userVector);
      if (norm === 0) return null;
      let cosines: Float32Array | null = null;
      if (withCosines) {
        // Served scores are ⟨h_u, unit row⟩; over ‖h_u‖ they are cosines.
        cosines = new Float32Array(n);
        for (const { itemIndex, score } of scores.ranked) cosines[itemIndex] = score / norm;
      }
      return { direction: unitVector(scores.userVector), cosines };
    });
  }

  /** The mean direction of the first store users' `h_u`, and the trained rows' percentile cosine with it. */
  private async commonDirection(): Promise<Calibration | null> {
    const trained = this.model.vocabulary.trainedItemCount;
    const users = (await this.store.listUsers({ first: CALIBRATION_USERS })).records.map((u) => u.id);
    const [hop1, hop2] = this.model.metadata.fanouts;
    const sum = new Float32Array(this.model.metadata.embeddingDim);
    // Σ_u ⟨unit h_u, row⟩ = ⟨Σ_u unit h_u, row⟩: the rows' cosines with the sum, up to its norm.
    const along = new Float64Array(trained);
    for (let lo = 0; lo < users.length; lo += CALIBRATION_ROWS_PER_RUN) {
      const neighbourhoods = await this.store.neighbourhoods(users.slice(lo, lo + CALIBRATION_ROWS_PER_RUN), { hop1, hop2 });
      for (const r of await this.representations(neighbourhoods, true)) {
        if (!r) continue;
        addScaled(sum, r.direction, 1);
        for (let i = 0; i < trained; i++) along[i]! += r.cosines![i]!;
      }
    }
    const norm = Math.hypot(...sum);
    if (norm === 0 || trained === 0) return null;
    const cosines = [...along].map((x) => x / norm).sort((a, b) => a - b);
    return { direction: unitVector(sum), cosine: cosines[Math.floor(COMMON_DIRECTION_PERCENTILE * (trained - 1))]! };
  }
}

/** `unit` with its component along the common direction replaced by the calibration's cosine. */
export function calibrated(unit: Float32Array, { direction, cosine }: Calibration): Float32Array {
  let along = 0;
  for (let k = 0; k < unit.length; k++) along += unit[k]! * direction[k]!;
  const rest = unit.slice();
  addScaled(rest, direction, -along);
  const restNorm = Math.hypot(...rest);
  if (restNorm === 0) return direction.slice();
  const out = rest.map((x) => (x / restNorm) * Math.sqrt(1 - cosine * cosine));
  addScaled(out, direction, cosine);
  return out;
}
