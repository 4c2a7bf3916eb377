/**
 * Entry point of the corked bare `ws` relay: one shared frame, one write per socket per turn
 * (env: PORT, REDIS_URL, REDIS_KEY_PREFIX; RELAY_ACK=1 also acks each message to its sender).
 */
import { corkedWriter } from './corked-writer.mjs';
import { startRelay } from './relay-hub.mjs';

await startRelay({
  port: Number(process.env.PORT),
  writer: corkedWriter(),
  redisUrl: process.env.REDIS_URL || undefined,
  prefix: process.env.REDIS_KEY_PREFIX,
  ack: process.env.RELAY_ACK === '1',
});
