import { DateTimeResolver } from 'graphql-scalars';
import type { Resolvers } from './generated/types.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { Contribution, Explanation, Interaction, Item, SimilarItem, User } from './types.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Query,
  Mutation,
  User,
  Item,
  SimilarItem,
  Interaction,
  Explanation,
  Contribution,
};
