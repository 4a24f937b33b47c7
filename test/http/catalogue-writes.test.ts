import { EMBEDDED } from '../support/store-legs.js';
import { describeCatalogueWrites } from './catalogue-writes.suite.js';

describeCatalogueWrites(EMBEDDED);
