import {
  ErasedInteractionsError,
  IdempotencyConflictError,
  INTERACTION_WEIGHT_RANGE,
  isInteractionWeight,
  resolveInteractionWeight,
  UnknownItemsError,
  type NewInteraction,
} from '../graph/index.js';
import { BadUserInputError, ConflictError } from '../errors.js';
import type { InteractionInput, MutationResolvers } from './generated/types.js';
import { count, id, MAX_INTERACTIONS_PER_CALL, pastInstant } from './arguments.js';

export const Mutation: MutationResolvers = {
  recordInteractions: async (_, { input }, { services }) => {
    count('input', input.length, MAX_INTERACTIONS_PER_CALL);
    const now = new Date();
    const interactions = input.map((entry, index) => toNewInteraction(entry, index, now));
    try {
      const recorded = await services.store.recordInteractions(interactions);
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
  };
}
