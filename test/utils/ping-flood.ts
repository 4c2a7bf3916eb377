import type { Socket } from 'node:net';
import type { TestClient } from './test-client.js';

/** A client ping frame: FIN + ping opcode, masked with an all-zero key, and 125 bytes of payload (the most a ping may carry). */
const PING_FRAME = Buffer.concat([
  Buffer.from([0x89, 0x80 | 125, 0, 0, 0, 0]),
  Buffer.alloc(125, 0x70),
]);
const PINGS_PER_WRITE = 8192;

/**
 * Stops reading `client`'s socket, then writes up to `count` pings straight to its TCP socket, waiting
 * for the kernel to take each batch; resolves with how many were written before the server cut the
 * connection (or `count`, if it never did).
 */
export async function floodPings(client: TestClient, count: number): Promise<number> {
  const tcp = (client.socket as unknown as { _socket: Socket })._socket;
  tcp.pause();
  const batch = Buffer.concat(Array<Buffer>(PINGS_PER_WRITE).fill(PING_FRAME));
  let cut = false;
  const closed = new Promise<void>((resolve) =>
    tcp.once('close', () => {
      cut = true;
      resolve();
    }),
  );
  let written = 0;
  while (written < count && !cut && !tcp.destroyed) {
    const pings = Math.min(PINGS_PER_WRITE, count - written);
    const drained = tcp.write(pings === PINGS_PER_WRITE ? batch : batch.subarray(0, pings * 131));
    written += pings;
    if (!drained)
      await Promise.race([new Promise((resolve) => tcp.once('drain', resolve)), closed]);
  }
  return written;
}
