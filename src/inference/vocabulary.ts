/**
 * Maps store ids to the model's table rows. Users are the trained ones; items are the trained ones
 * first, then those added while serving (contract v3), in the order they were added.
 */
export class ModelVocabulary {
  readonly userIndex: ReadonlyMap<string, number>;
  /** Rows below this hold trained vectors; the rest are estimates (`ItemRowWrite`s). */
  readonly trainedItemCount: number;
  private readonly ids: string[];
  private readonly index: Map<string, number>;

  constructor(itemIds: readonly string[], userIds: readonly string[]) {
    this.ids = [...itemIds];
    this.index = new Map(itemIds.map((id, i) => [id, i]));
    this.userIndex = new Map(userIds.map((id, i) => [id, i]));
    this.trainedItemCount = itemIds.length;
  }

  get itemIndex(): ReadonlyMap<string, number> {
    return this.index;
  }

  get itemCount(): number {
    return this.ids.length;
  }

  itemId(index: number): string {
    const id = this.ids[index];
    if (id === undefined) throw new RangeError(`no item row ${index}`);
    return id;
  }

  isTrained(id: string): boolean {
    const index = this.index.get(id);
    return index !== undefined && index < this.trainedItemCount;
  }

  /** The row of `id`, appended at the end when it has none yet. */
  rowFor(id: string): number {
    let index = this.index.get(id);
    if (index === undefined) {
      index = this.ids.length;
      this.ids.push(id);
      this.index.set(id, index);
    }
    return index;
  }
}
