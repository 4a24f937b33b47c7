import { EMBEDDED } from '../support/store-legs.js';
import { describeResultCache, describeResultCacheOff } from './result-cache.suite.js';

describeResultCache(EMBEDDED);
describeResultCacheOff(EMBEDDED);
