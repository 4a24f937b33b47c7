import { EMBEDDED } from '../support/store-legs.js';
import { describeEntityReferences } from './entity-references.suite.js';

describeEntityReferences(EMBEDDED);
