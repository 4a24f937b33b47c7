import { EMBEDDED } from '../support/store-legs.js';
import { describeWhatIf } from './what-if.suite.js';

describeWhatIf(EMBEDDED);
