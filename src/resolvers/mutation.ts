import {
  ErasedInteractionsError,
  IdempotencyConflictError,
  INTERACTION_WEIGHT_RANGE,
  isInteractionWeight,
  itemFieldProblem,
  resolveInteractionWeight,
  UnknownItemsError,
  type NewInteraction,
  type NewItem,
} from '../graph/index.js';
import { BadUserInputError, ConflictError } from '../errors.js';
import type { InteractionInput, ItemInput, MutationResolvers } from './generated/types.js';
import { count, id, MAX_INTERACTIONS_PER_CALL, MAX_ITEMS_PER_CALL, pastInstant } from './arguments.js';

export const Mutation: MutationResolvers = {
  recordInteractions: async (_, { input }, { services }) => {
    count('input', input.length, MAX_INTERACTIONS_PER_CALL);
    const now = new Date();
    const interactions = input.map((entry, index) => toNewInteraction(entry, index, now));
    try {
      const recorded = await services.store.recordInteractions(interactions);
      services.feedback.attributed(interactions);
      // Items the model was not trained on are estimated again before the answer: the next query sees them.
      await services.catalogue.interactionsRecorded(interactions.map((i) => i.itemId));
      return recorded;
    } catch (error) {
      if (error instanceof UnknownItemsError) {
        throw new BadUserInputError(`Unknown item ids: ${error.itemIds.join(', ')}. Nothing was recorded.`, {
          argument: 'input',
          unknownItemIds: error.itemIds,
        });
      }
      if (error instanceof ErasedInteractionsError) {
        throw new BadUserInputError(
          `Interaction ids ${error.interactionIds.join(', ')} were erased with their user and are not recorded again. Nothing was recorded.`,
          { argument: 'input', erasedInteractionIds: error.interactionIds },
        );
      }
      if (error instanceof IdempotencyConflictError) {
        const index = interactions.findIndex((i) => i.id === error.key);
        throw new ConflictError(`Interaction id ${error.key} was already used for another user, item or type. Nothing was recorded.`, {
          argument: `input[${index}].id`,
        });
      }
      throw error;
    }
  },

  upsertItems: async (_, { input }, { services }) => {
    count('input', input.length, MAX_ITEMS_PER_CALL);
    const items = input.map(toNewItem);
    const first = new Map<string, number>();
    items.forEach((item, index) => {
      const earlier = first.get(item.id);
      if (earlier !== undefined) {
        throw new BadUserInputError(`\`input[${index}].id\` repeats \`input[${earlier}].id\` (${item.id}); each item may appear once. Nothing was written.`, {
          argument: `input[${index}].id`,
        });
      }
      first.set(item.id, index);
    });
    const upserted = await services.store.upsertItems(items);
    // Availability, categories and new items' rows follow before the answer: the next query sees them.
    await services.catalogue.itemsChanged(items.map((item) => item.id));
    return upserted;
  },

  deleteUser: async (_, args, { services, caller }) => {
    const userId = id('id', args.id);
    const { deleted, interactionCount } = await services.store.deleteUser(userId);
    services.erasureAudit.erased(caller, userId, { deleted, interactionCount });
    return { id: userId, deleted, deletedInteractionCount: interactionCount };
  },
};

function toNewInteraction(entry: InteractionInput, index: number, now: Date): NewInteraction {
  const at = (field: string) => `input[${index}].${field}`;
  const type = entry.type ?? 'VIEW';
  const { weight } = entry;
  if (weight != null && !isInteractionWeight(weight)) {
    throw new BadUserInputError(`\`${at('weight')}\` must be in ${INTERACTION_WEIGHT_RANGE}; got ${weight}.`, {
      argument: at('weight'),
    });
  }
  return {
    id: entry.id == null ? null : id(at('id'), entry.id),
    userId: id(at('userId'), entry.userId),
    itemId: id(at('itemId'), entry.itemId),
    type,
    weight: resolveInteractionWeight(type, weight),
    occurredAt: entry.occurredAt == null ? now : pastInstant(at('occurredAt'), entry.occurredAt, now),
    recommendationId: entry.recommendationId == null ? null : recommendationId(at('recommendationId'), entry.recommendationId),
  };
}

/** The most characters an attributed interaction's `recommendationId` may have (ours have about 120). */
const MAX_RECOMMENDATION_ID = 200;

/** Any id the caller kept (ours, or a list's): printable, bounded; whether it names an answer is the report's business. */
function recommendationId(argument: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > MAX_RECOMMENDATION_ID || /[\u0000-\u001f\u007f]/u.test(value)) {
    throw new BadUserInputError(`\`${argument}\` must be 1 to ${MAX_RECOMMENDATION_ID} characters long, without control characters.`, { argument });
  }
  return value;
}

/** An item entry as the store takes it: every field checked, explicit nulls as omissions. */
function toNewItem(entry: ItemInput, index: number): NewItem {
  const item = {
    id: id(`input[${index}].id`, entry.id),
    title: entry.title,
    category: entry.category ?? null,
    description: entry.description ?? null,
    tags: entry.tags ?? [],
    available: entry.available ?? true,
  };
  const problem = itemFieldProblem(item);
  if (problem !== null) {
    const argument = `input[${index}].${problem.field}`;
    throw new BadUserInputError(`\`${argument}\` ${problem.rule}. Nothing was written.`, { argument });
  }
  return item;
}
