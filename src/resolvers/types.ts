import type {
  ContributionResolvers,
  ExplanationResolvers,
  InteractionResolvers,
  ItemResolvers,
  SimilarItemResolvers,
  UserResolvers,
} from './generated/types.js';
import { count, id, MAX_CONTRIBUTIONS, MAX_PAGE_SIZE } from './arguments.js';
import { recommendationRequest, similarItemsRequest } from './recommendation-arguments.js';
import { selectsField } from './selection.js';

export const User: UserResolvers = {
  // A user is an id to recograph: one another subgraph references but we never saw gets the
  // popularity fallback, so references need no lookup; the selected fields batch as usual.
  __resolveReference: (reference) => ({ id: id('representations', reference.id) }),
  interactionCount: (user, _, { loaders }) => loaders.interactionCount.load(user.id),
  interactions: (user, { first }, { loaders }) =>
    loaders.interactions.load({ userId: user.id, first: count('first', first, MAX_PAGE_SIZE) }),
  recommendations: async (user, args, { loaders, services }, info) =>
    loaders.recommendations.load(services.experiments.assign(await recommendationRequest(loaders, user.id, args, selectsField(info, 'explanation')))),
};

export const Item: ItemResolvers = {
  // Batched through the request's item loader: 100 references, one store call; null when unknown.
  __resolveReference: (reference, { loaders }) => loaders.item.load(id('representations', reference.id)),
  modelKnowledge: (item, _, { services }) => services.catalogue.knowledgeOf(item.id),
  similarItems: async (item, { first, filter }, { loaders, services }) =>
    loaders.similarItems.load(services.experiments.assignSimilar(await similarItemsRequest(loaders, item.id, first, filter, null))),
};

export const SimilarItem: SimilarItemResolvers = {
  sharedUserCount: (similar, _, { loaders }) => loaders.sharedUserCount.load([similar.source.id, similar.item.id]),
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
