import { EMBEDDED } from '../support/store-legs.js';
import { describeFeedback } from './feedback.suite.js';

describeFeedback(EMBEDDED);
