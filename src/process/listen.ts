import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` listening; rejects with Node's listen error (`code`, `port`, `address`) when it cannot. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
