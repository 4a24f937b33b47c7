import type { QueryResolvers } from './generated/types.js';
import { category as categoryName, count, decodeCursor, id, MAX_PAGE_SIZE } from './arguments.js';
import { connection } from './connections.js';
import { recommendationRequest } from './recommendation-arguments.js';
import { selectsField } from './selection.js';

export const Query: QueryResolvers = {
  recommendations: (_, { userId, first, filter, ignoreItemIds }, { loaders }, info) =>
    loaders.recommendations.load(recommendationRequest(userId, first, filter, ignoreItemIds, selectsField(info, 'explanation'))),
  user: (_, args, { loaders }) => loaders.user.load(id('id', args.id)),
  item: (_, args, { loaders }) => loaders.item.load(id('id', args.id)),
  users: async (_, { first, after }, { services }) => {
    const afterId = decodeCursor('after', after);
    const page = await services.store.listUsers({ first: count('first', first, MAX_PAGE_SIZE), afterId });
    return connection(page, afterId);
  },
  items: async (_, { first, after, category }, { services }) => {
    const afterId = decodeCursor('after', after);
    const page = await services.store.listItems({
      first: count('first', first, MAX_PAGE_SIZE),
      afterId,
      category: category == null ? null : categoryName('category', category),
    });
    return connection(page, afterId);
  },
  model: (_, __, { services }) => services.recommendations.modelInfo,
};
