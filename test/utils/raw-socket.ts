import { createConnection, type Socket } from 'node:net';

/**
 * A plain TCP connection to 127.0.0.1:`port`, open once this resolves, that writes `bytes` (if any) and
 * then does nothing: the lingering client a server must not wait for. Call `destroy()` when done.
 */
export function openRawSocket(port: number, bytes?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      if (bytes !== undefined) socket.write(bytes);
      resolve(socket);
    });
  });
}

/**
 * A keep-alive HTTP connection left idle after one complete `GET path`, as a browser leaves it after
 * loading a page; resolves once the whole response has arrived.
 */
export async function openIdleKeepAlive(port: number, path = '/'): Promise<Socket> {
  const socket = await openRawSocket(
    port,
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`,
  );
  await new Promise<void>((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(received)?.[1];
      if (end >= 0 && length !== undefined && received.length >= end + 4 + Number(length)) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`the server closed the connection: ${received}`)));
  });
  return socket;
}
