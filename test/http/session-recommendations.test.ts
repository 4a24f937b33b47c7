import { EMBEDDED } from '../support/store-legs.js';
import { describeSessionRecommendations } from './session-recommendations.suite.js';

describeSessionRecommendations(EMBEDDED);
