import { EMBEDDED } from '../support/store-legs.js';
import { describeRankingRules } from './ranking-rules.suite.js';

describeRankingRules(EMBEDDED);
