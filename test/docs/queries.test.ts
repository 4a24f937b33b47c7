import { EMBEDDED } from '../support/store-legs.js';
import { describeDocumentedQueries } from './queries.suite.js';

describeDocumentedQueries(EMBEDDED);
