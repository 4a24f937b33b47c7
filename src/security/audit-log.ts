import { pino, type DestinationStream, type Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Caller } from './access-policy.js';

/** Who acted, without naming them: the kind of credential and, for keys, the role. */
const actor = (caller: Caller) => (caller.kind === 'service' ? `${caller.role} key` : caller.kind);

/**
 * Audit lines for erasures: written synchronously at `info` whatever LOG_LEVEL says, so they are
 * never sampled or dropped, and counted. They name the erased id and nothing else about anyone.
 */
export class ErasureAudit {
  private readonly log: Logger;

  constructor(
    private readonly erasures: Counter<'outcome'>,
    destination: DestinationStream = pino.destination({ dest: 1, sync: true }),
  ) {
    this.log = pino({ name: 'recograph-audit', level: 'info' }, destination);
  }

  erased(caller: Caller, userId: string, outcome: { readonly deleted: boolean; readonly interactionCount: number }): void {
    this.erasures.inc({ outcome: outcome.deleted ? 'erased' : 'unknown_user' });
    this.log.info(
      { audit: 'deleteUser', userId, deleted: outcome.deleted, interactionCount: outcome.interactionCount, by: actor(caller) },
      'user erasure',
    );
  }
}
