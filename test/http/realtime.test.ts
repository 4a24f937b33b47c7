import { EMBEDDED } from '../support/store-legs.js';
import { describeRealtimeUpdates } from './realtime.suite.js';

describeRealtimeUpdates(EMBEDDED);
