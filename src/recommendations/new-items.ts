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
/** Store users whose representations give the users' common direction and the calibration's sample. */
const CALIBRATION_USERS = 256;
const CALIBRATION_ROWS_PER_RUN = 32;
/** The first page of recommendations whose share the estimated rows are calibrated to. */
export const CALIBRATION_TOP = 20;
/** The scan up the cosine along the common direction, and the steps of the bisection that follows it (to 2^-30 of a step). */
const SCAN_STEP = 0.1;
const BISECTION_STEPS = 30;

/** The users' common direction and the cosine with it an estimated row is given. */
export interface Calibration {
  readonly direction: Float32Array;
  readonly cosine: number;
}

/** The calibration as served, with what it was chosen for: the target and reached new items per sample user's top list. */
export interface ServedCalibration extends Calibration {
  readonly sampleUsers: number;
  readonly estimates: number;
  readonly targetInTop: number;
  readonly newItemsInTop: number;
  /** The refresh's time in calibrating: the sample where it was built, the estimates' scores for it, the bisection. */
  readonly seconds: number;
}

/** A sample user as the calibration sees them: what a row along the common direction scores, and the top trained scores. */
export interface SampleUser {
  /** ⟨h_u, common direction⟩ (times the served row norm under dot similarity). */
  readonly along: number;
  /** The user's best trained scores (`CALIBRATION_TOP` of them, fewer in a small catalogue), highest first, without the items they interacted with. */
  readonly trainedTop: Float32Array;
}

/** The calibration's sample of store users and the common direction of their `h_u`. */
interface CalibrationSample {
  readonly direction: Float32Array;
  readonly users: readonly SampleUser[];
  /** Per sample user, their `h_u` (times the served row norm under dot similarity) and the ids they interacted with. */
  readonly vectors: readonly Float32Array[];
  readonly interacted: readonly ReadonlySet<string>[];
}

/** An estimate from users before calibration: the unit part orthogonal to the common direction, and what it scores per sample user. */
interface Estimate {
  readonly rest: Float32Array;
  /** ⟨h_u, rest⟩ per sample user; NaN for a user who interacted with the item (never recommended to them). */
  readonly restScores: Float32Array;
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
 * its own direction orthogonal to the common one; along it, every such estimate gets one cosine,
 * chosen on a sample of store users so that the estimates together take their share of the
 * catalogue of a top 20 (`cosineForShare`): as often recommended, on average, as a trained item.
 * Each refresh recalibrates over every estimate from users and rewrites their rows.
 */
export class NewItems {
  private readonly knowledge = new Map<string, 'INDUCTIVE' | 'CONTENT'>();
  private readonly estimates = new Map<string, Estimate>();
  private sample: Promise<CalibrationSample | null> | null = null;
  private calibration: ServedCalibration | null = null;

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

  /** The calibration the estimates from users are served with now (null before any, or without store users). */
  currentCalibration(): ServedCalibration | null {
    return this.calibration;
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
    const started = performance.now();
    // Only estimates from users are calibrated: an upsert of text-only items never pays for it.
    const sample = evidence.some((e) => e.length > 0) ? await (this.sample ??= this.calibrationSample()) : null;
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
      if (weight > 0 && sample) {
        this.estimates.set(item.id, estimate(item.id, unitVector(sum), sample));
      } else {
        this.estimates.delete(item.id);
        vectors.push({ id: item.id, vector: unitVector(sum).map((x) => x * itemNorm) });
      }
      this.knowledge.set(item.id, weight > 0 ? 'INDUCTIVE' : 'CONTENT');
    });
    if (sample && this.estimates.size > 0) {
      const restScores = [...this.estimates.values()].map((e) => e.restScores);
      const targetInTop = (CALIBRATION_TOP * this.estimates.size) / (this.model.vocabulary.trainedItemCount + this.knowledge.size);
      const cosine = cosineForShare(sample.users, restScores, targetInTop);
      this.calibration = {
        direction: sample.direction,
        cosine,
        sampleUsers: sample.users.length,
        estimates: restScores.length,
        targetInTop,
        newItemsInTop: newItemsInTop(sample.users, restScores, cosine),
        seconds: (performance.now() - started) / 1000,
      };
      // Every estimate from users moves with the one cosine, so all their rows are rewritten.
      for (const [id, { rest }] of this.estimates) {
        vectors.push({ id, vector: calibrated(rest, this.calibration).map((x) => x * itemNorm) });
      }
    }
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
        const direction = directions[k]?.vector;
        if (direction) evidence[pair.i]!.push({ direction: unitVector(direction), weight: pair.weight });
      });
    }
    return evidence;
  }

  /**
   * The model's `h_u` of each neighbourhood (null for one with no item the model knows); with
   * `withTrainedScores`, also its served score of every trained row.
   */
  private async representations(
    neighbourhoods: readonly Neighbourhood[],
    withTrainedScores = false,
  ): Promise<({ vector: Float32Array; ranked: readonly { itemIndex: number; score: number }[] } | null)[]> {
    // A run scores as many rows as its score_bias covers: trained rows come first.
    const n = withTrainedScores ? this.model.vocabulary.trainedItemCount : this.model.vocabulary.itemCount;
    const batch = assembleBatch(
      neighbourhoods,
      neighbourhoods.map(() => new Float32Array(n)),
      this.model.vocabulary,
      withTrainedScores ? n : 1,
      0,
    );
    const outputs = await this.model.run(batch.inputs);
    return neighbourhoods.map((_, row) => {
      if (batch.slots[row]!.items.length === 0) return null;
      const scores = readUserScores(outputs, row);
      if (Math.hypot(...scores.userVector) === 0) return null;
      return { vector: scores.userVector.slice(), ranked: withTrainedScores ? scores.ranked : [] };
    });
  }

  /**
   * The first store users' `h_u` and top trained scores (without their own items), and the mean
   * direction of their unit `h_u`: computed once per model.
   */
  private async calibrationSample(): Promise<CalibrationSample | null> {
    const { vocabulary, metadata } = this.model;
    const trained = vocabulary.trainedItemCount;
    if (trained === 0) return null;
    // Served scores are ⟨h_u, row⟩ with unit rows under cosine, rows of the served norm otherwise.
    const rowNorm = metadata.similarity === 'cosine' ? 1 : metadata.inductive.itemNorm;
    const ids = (await this.store.listUsers({ first: CALIBRATION_USERS })).records.map((u) => u.id);
    const [hop1, hop2] = metadata.fanouts;
    const sum = new Float32Array(metadata.embeddingDim);
    const vectors: Float32Array[] = [];
    const interacted: ReadonlySet<string>[] = [];
    const tops: Float32Array[] = [];
    for (let lo = 0; lo < ids.length; lo += CALIBRATION_ROWS_PER_RUN) {
      const neighbourhoods = await this.store.neighbourhoods(ids.slice(lo, lo + CALIBRATION_ROWS_PER_RUN), { hop1, hop2 });
      (await this.representations(neighbourhoods, true)).forEach((r, row) => {
        if (!r) return;
        const own = neighbourhoods[row]!.interactedItemIds;
        const ownRows = new Set([...own].map((id) => vocabulary.itemIndex.get(id)));
        const top: number[] = [];
        for (const { itemIndex, score } of r.ranked) {
          if (ownRows.has(itemIndex)) continue;
          top.push(score);
          if (top.length === CALIBRATION_TOP) break;
        }
        addScaled(sum, unitVector(r.vector), 1);
        vectors.push(r.vector.map((x) => x * rowNorm));
        interacted.push(own);
        tops.push(Float32Array.from(top));
      });
    }
    if (Math.hypot(...sum) === 0) return null;
    const direction = unitVector(sum);
    const users = vectors.map((v, u) => ({ along: dot(v, direction), trainedTop: tops[u]! }));
    return { direction, users, vectors, interacted };
  }
}

/** An estimate's unit direction split into the part orthogonal to the common direction, scored for each sample user. */
function estimate(itemId: string, unit: Float32Array, sample: CalibrationSample): Estimate {
  const rest = unit.slice();
  addScaled(rest, sample.direction, -dot(unit, sample.direction));
  const norm = Math.hypot(...rest);
  const restUnit = norm === 0 ? rest : rest.map((x) => x / norm);
  const restScores = Float32Array.from(sample.vectors, (v, u) => (sample.interacted[u]!.has(itemId) ? Number.NaN : dot(v, restUnit)));
  return { rest: restUnit, restScores };
}

/**
 * New items in each sample user's top `top`, mean over the users, when every estimate
 * has cosine `cosine` with the common direction: estimate i scores `cosine·along_u +
 * √(1 − cosine²)·restScores[i][u]` for user u, and joins their top list where it beats the trained
 * score it would displace (ties go to the trained item). NaN scores are never recommended.
 */
export function newItemsInTop(users: readonly SampleUser[], restScores: readonly Float32Array[], cosine: number, top = CALIBRATION_TOP): number {
  if (users.length === 0) return 0;
  const sine = Math.sqrt(1 - cosine * cosine);
  let total = 0;
  const scores: number[] = [];
  users.forEach(({ along, trainedTop }, u) => {
    const k = trainedTop.length;
    // Only a score above the last trained one of a full list can enter it.
    const last = k < top ? Number.NEGATIVE_INFINITY : trainedTop[top - 1]!;
    scores.length = 0;
    for (const rest of restScores) {
      const score = cosine * along + sine * rest[u]!;
      if (score > last) scores.push(score);
    }
    scores.sort((a, b) => b - a);
    // The m-th best new score (0-based) stays in the list if it beats the trained score at place top − 1 − m, or that place is empty.
    let m = 0;
    while (m < scores.length && m < top && (top - 1 - m >= k || scores[m]! > trainedTop[top - 1 - m]!)) m++;
    total += m;
  });
  return total / users.length;
}

/**
 * The cosine with the common direction, in [−1, 1], at which the estimates take `target` places of
 * a sample user's top list on average. The count is not monotone in the cosine: it rises from −1
 * while the estimates turn towards the users' `h_u`, and falls again towards 1, where every estimate
 * is the common direction itself and scores below many users' top trained rows (Gowalla). So the
 * rising branch is searched: scanning up from −1 in steps of `SCAN_STEP` to the first cosine at which
 * the estimates take more than the target, then bisecting below it for the largest cosine at which
 * they take no more. Where they never take more, the scanned cosine at which they take the most.
 */
export function cosineForShare(users: readonly SampleUser[], restScores: readonly Float32Array[], target: number, top = CALIBRATION_TOP): number {
  const count = (cosine: number) => newItemsInTop(users, restScores, cosine, top);
  let lo = -1;
  if (count(lo) > target) return lo;
  let best = { cosine: lo, count: count(lo) };
  for (let step = 1; step * SCAN_STEP <= 2 + 1e-9; step++) {
    const hi = Math.min(1, -1 + step * SCAN_STEP);
    const taken = count(hi);
    if (taken > target) {
      let high = hi;
      for (let i = 0; i < BISECTION_STEPS; i++) {
        const mid = (lo + high) / 2;
        if (count(mid) > target) high = mid;
        else lo = mid;
      }
      return lo;
    }
    if (taken > best.count) best = { cosine: hi, count: taken };
    lo = hi;
  }
  return best.cosine;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k]! * b[k]!;
  return sum;
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
