export { AccessPolicy, type Caller } from './access-policy.js';
export { ApiKeyRing } from './api-keys.js';
export { ErasureAudit } from './audit-log.js';
export { fieldAccessPlugin } from './field-access.js';
export { authenticateRequests, callerOf, requireKey } from './http-access.js';
export { concurrencyLimit } from './concurrency.js';
export { costEstimator, queryCostPlugin, queryLimitRules, type ListBounds } from './query-limits.js';
export { jsonBody, requestErrorHandler } from './request-body.js';
export { suggestionsPlugin } from './suggestions.js';
