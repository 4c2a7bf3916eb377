import type { IncomingMessage } from 'node:http';

/**
 * The client IP of a request: the TCP peer, or with `trustProxy` the last `X-Forwarded-For` hop (the
 * address the load balancer in front saw; earlier hops are whatever the client wrote).
 */
export function clientIp(request: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = request.headers['x-forwarded-for'];
    const forwarded = Array.isArray(header) ? header.join(',') : header;
    const last = forwarded?.slice(forwarded.lastIndexOf(',') + 1).trim();
    if (last) return last;
  }
  return request.socket.remoteAddress ?? 'unknown';
}
