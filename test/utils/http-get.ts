import { get, type IncomingHttpHeaders } from 'node:http';

/**
 * `GET path` on 127.0.0.1:`port` through node:http, which (unlike fetch) sends any header as given,
 * `Host` included; resolves with the status and headers once the body has arrived.
 */
export function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers, agent: false }, (response) => {
      response.resume();
      response.once('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers }),
      );
    }).once('error', reject);
  });
}
