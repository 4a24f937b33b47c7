import { describeNeo4j } from '../support/neo4j.js';
import { NEO4J } from '../support/store-legs.js';
import { describeTrainCli } from './train.suite.js';

describeNeo4j('the training CLI on Neo4j', () => describeTrainCli(NEO4J));
