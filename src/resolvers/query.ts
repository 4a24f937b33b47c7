import type { QueryResolvers } from './generated/types.js';
import { category as categoryName, count, decodeCursor, id, MAX_PAGE_SIZE } from './arguments.js';
import { catalogueCategory } from './categories.js';
import { BadUserInputError } from '../errors.js';
import { ListExpiredError } from '../recommendations/index.js';
import { connection, decodeListCursor, recommendationConnection } from './connections.js';
import { recommendationRequest, similarItemsRequest } from './recommendation-arguments.js';
import { selectsField } from './selection.js';
import { serveAnswer } from '../context.js';

export const Query: QueryResolvers = {
  recommendations: async (_, { userId, ...args }, { loaders, services }, info) =>
    loaders.recommendations.load(services.experiments.assign(await recommendationRequest(loaders, userId, args, selectsField(info, 'explanation')))),
  recommendationList: async (_, { userId, after, ...args }, { loaders, services }, info) => {
    const explain = selectsField(info, 'nodes', 'explanation') || selectsField(info, 'edges', 'node', 'explanation');
    const request = services.experiments.assign(await recommendationRequest(loaders, userId, args, explain));
    const position = decodeListCursor('after', after);
    const page = await services.rankedLists.page(request, position).catch((error: unknown) => {
      if (!(error instanceof ListExpiredError)) throw error;
      throw new BadUserInputError(
        '`after` names a ranked list this API process no longer keeps (older than RECOMMENDATION_LIST_TTL_S, or kept by another process): start again without `after`.',
        { argument: 'after', reason: 'LIST_EXPIRED' },
      );
    });
    const answer = serveAnswer(services, 'RECOMMENDATIONS', request.variant, request.userId, page.results, page.recommendationId);
    return recommendationConnection(page, request.first, answer);
  },
  similarItems: async (_, { itemId, first, filter, userId }, { loaders, services }) =>
    loaders.similarItems.load(services.experiments.assignSimilar(await similarItemsRequest(loaders, itemId, first, filter, userId))),
  user: (_, args, { loaders }) => loaders.user.load(id('id', args.id)),
  item: (_, args, { loaders }) => loaders.item.load(id('id', args.id)),
  users: async (_, { first, after }, { services }) => {
    const afterId = decodeCursor('after', after);
    const page = await services.store.listUsers({ first: count('first', first, MAX_PAGE_SIZE), afterId });
    return connection(page, afterId);
  },
  items: async (_, { first, after, category }, { services, loaders }) => {
    const afterId = decodeCursor('after', after);
    const pageSize = count('first', first, MAX_PAGE_SIZE);
    // Categories differing only in case are one to filters; a page lists the first spelling's items.
    const spelling = category == null ? null : catalogueCategory('category', categoryName('category', category), await loaders.categories())[0]!;
    const page = await services.store.listItems({ first: pageSize, afterId, category: spelling });
    return connection(page, afterId);
  },
  model: (_, __, { services }) => services.recommendations.modelInfo,
  feedbackReport: (_, { since, until }, { services }) =>
    services.feedback.report({ since: since ?? null, until: until ?? null }, services.experiments.summary()),
};
