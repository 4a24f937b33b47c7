import type {
  ContributionResolvers,
  ExplanationResolvers,
  InteractionResolvers,
  UserResolvers,
} from './generated/types.js';
import { count, MAX_CONTRIBUTIONS, MAX_PAGE_SIZE } from './arguments.js';
import { recommendationRequest } from './recommendation-arguments.js';

export const User: UserResolvers = {
  interactionCount: (user, _, { loaders }) => loaders.interactionCount.load(user.id),
  interactions: (user, { first }, { loaders }) =>
    loaders.interactions.load({ userId: user.id, first: count('first', first, MAX_PAGE_SIZE) }),
  recommendations: (user, { first, filter }, { loaders }) =>
    loaders.recommendations.load(recommendationRequest(user.id, first, filter)),
};

export const Interaction: InteractionResolvers = {
  user: (interaction) => ({ id: interaction.userId }),
  item: async (interaction, _, { loaders }) => (await loaders.item.load(interaction.itemId))!,
};

export const Explanation: ExplanationResolvers = {
  contributions: (explanation, { first }) => explanation.contributions(count('first', first, MAX_CONTRIBUTIONS)),
};

export const Contribution: ContributionResolvers = {
  evidence: (contribution, { first }) => contribution.evidence(count('first', first, MAX_CONTRIBUTIONS)),
};
