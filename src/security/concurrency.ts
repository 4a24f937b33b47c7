import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * An `onRequest` hook letting at most `max` requests past at once; the others wait, in order,
 * before their bodies are read. With the cost limit bounding each answer, this bounds the memory
 * the server needs under any load. A slot is given back when its response closes, or at once if
 * the client left while waiting.
 */
export function concurrencyLimit(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const admit = () => {
      if (request.raw.socket.destroyed) return release();
      reply.raw.once('close', release);
      done();
    };
    if (active < max) {
      active++;
      admit();
    } else {
      waiting.push(admit);
    }
  };
}
