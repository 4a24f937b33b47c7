export { Metrics, secondsSince, type Stage } from './metrics.js';
export { metricsPlugin, timedStringify } from './apollo-metrics-plugin.js';
export { requestIdOf, requestLogging } from './http-logging.js';
