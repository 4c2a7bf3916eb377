/** Entry point of the bare `ws` relay that sends to each socket separately (env: PORT, REDIS_URL, REDIS_KEY_PREFIX). */
import { perSocketWriter } from './per-socket-writer.mjs';
import { startRelay } from './relay-hub.mjs';

await startRelay({
  port: Number(process.env.PORT),
  writer: perSocketWriter,
  redisUrl: process.env.REDIS_URL || undefined,
  prefix: process.env.REDIS_KEY_PREFIX,
});
