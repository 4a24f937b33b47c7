import { EMBEDDED } from '../support/store-legs.js';
import { describeCrashDurability } from './crash-durability.suite.js';

describeCrashDurability(EMBEDDED);
