import { EMBEDDED } from '../support/store-legs.js';
import { describeTrainCli } from './train.suite.js';

describeTrainCli(EMBEDDED);
