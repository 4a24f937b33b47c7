import { describeNeo4j } from '../support/neo4j.js';
import { NEO4J } from '../support/store-legs.js';
import { describeImportCli } from './import.suite.js';

describeNeo4j('the import CLI on Neo4j', () => describeImportCli(NEO4J));
