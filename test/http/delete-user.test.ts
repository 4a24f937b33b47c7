import { EMBEDDED } from '../support/store-legs.js';
import { describeUserErasure } from './delete-user.suite.js';

describeUserErasure(EMBEDDED);
