import { EMBEDDED } from '../support/store-legs.js';
import { describeRecommendationList } from './recommendation-list.suite.js';

describeRecommendationList(EMBEDDED);
