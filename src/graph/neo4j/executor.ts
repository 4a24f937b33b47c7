import neo4j, { Neo4jError, type Driver, type ManagedTransaction, type Session } from 'neo4j-driver';
import { GraphStoreUnavailableError } from '../store.js';
import type { CypherQuery } from './cypher.js';

/** A record as plain JavaScript values: driver Integers already converted to numbers. */
export type Row = Record<string, unknown>;

/** What a unit of work inside one managed transaction may do: run statements, in order. */
export interface Transaction {
  run(query: CypherQuery): Promise<Row[]>;
}

export interface TransactionOptions {
  /** Server-side limit for one transaction, in milliseconds (0: the server's default). */
  readonly timeoutMs: number;
}

/**
 * The one place the driver is used: managed transactions (the driver retries transient failures
 * and routes reads to readers), sessions closed in `finally`, Integers converted to numbers, and
 * database errors mapped to the port's errors. Errors thrown by the work itself pass through.
 */
export class Neo4jExecutor {
  constructor(
    private readonly driver: Driver,
    private readonly database: string,
    private readonly options: TransactionOptions,
  ) {}

  /** One read statement in a managed read transaction. */
  read(query: CypherQuery): Promise<Row[]> {
    return this.executeRead((tx) => tx.run(query));
  }

  /**
   * One statement in an auto-commit transaction, without the driver's retries: for a reachability
   * probe, which must report an outage at once rather than retry through it.
   */
  async runOnce(query: CypherQuery): Promise<void> {
    await this.withSession('READ', async (session) => {
      await session.run(query.cypher, query.params, this.transactionConfig());
    });
  }

  executeRead<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.withSession('READ', (session) => session.executeRead((tx) => work(wrap(tx)), this.transactionConfig()));
  }

  executeWrite<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.withSession('WRITE', (session) => session.executeWrite((tx) => work(wrap(tx)), this.transactionConfig()));
  }

  private transactionConfig() {
    return this.options.timeoutMs > 0 ? { timeout: this.options.timeoutMs } : undefined;
  }

  private async withSession<T>(mode: 'READ' | 'WRITE', use: (session: Session) => Promise<T>): Promise<T> {
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    try {
      return await use(session);
    } catch (error) {
      throw mapDatabaseError(error);
    } finally {
      await session.close();
    }
  }
}

function wrap(tx: ManagedTransaction): Transaction {
  return {
    async run({ cypher, params }) {
      const result = await tx.run(cypher, params);
      return result.records.map((record) => toPlain(record.toObject()) as Row);
    },
  };
}

/** Driver values → plain JavaScript: Integers become numbers (refusing ones a double cannot hold). */
export function toPlain(value: unknown): unknown {
  if (neo4j.isInt(value)) {
    if (!neo4j.integer.inSafeRange(value)) throw new RangeError(`Integer ${value.toString()} exceeds the safe range`);
    return neo4j.integer.toNumber(value);
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

/** Connection-level failures become `GraphStoreUnavailableError`; other database errors keep their code. */
export function mapDatabaseError(error: unknown): unknown {
  if (!(error instanceof Neo4jError)) return error;
  if (error.code === neo4j.error.SERVICE_UNAVAILABLE || error.code === neo4j.error.SESSION_EXPIRED) {
    return new GraphStoreUnavailableError('Neo4j is unavailable', { cause: error });
  }
  return new Error(`Neo4j error ${error.code}: ${error.message}`, { cause: error });
}
