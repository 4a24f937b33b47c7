export { AccessPolicy, type Caller } from './access-policy.js';
export { ApiKeyRing } from './api-keys.js';
export { operationAccessPlugin, requireAdmin } from './operation-access.js';
export { costEstimator, queryCostPlugin, queryLimitRules, type ListBounds } from './query-limits.js';
export { jsonBody, requestErrorHandler } from './request-body.js';
