import { EMBEDDED } from '../support/store-legs.js';
import { describeImportCli } from './import.suite.js';

describeImportCli(EMBEDDED);
