import helmet from 'helmet';
import type { IncomingMessage } from 'node:http';

/** A Host header that is a plain host name or IP with an optional port: nothing that could end a CSP directive. */
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The client's WebSocket back to the host that served the page. CSP Level 3 lets 'self' match ws: and
 * wss: on the same host, but older browsers (Safari before 15.4 among them) do not, so the host is named.
 */
function sameHostSockets(request: IncomingMessage): string {
  const host = request.headers.host;
  return host && PLAIN_HOST.test(host) ? `ws://${host} wss://${host}` : '';
}

/**
 * helmet with a strict Content-Security-Policy for the web client (no inline script or style, scripts,
 * styles and images from this origin or the ASSET_BASE_URL CDN, a WebSocket to the same host), on every
 * HTTP response. HSTS is left to the TLS-terminating proxy, which knows whether the site is HTTPS-only.
 */
export function securityHeaders(assetBaseUrl?: string) {
  const cdn = assetBaseUrl ? [new URL(assetBaseUrl).origin] : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'none'"],
        'script-src': ["'self'", ...cdn],
        'style-src': ["'self'", ...cdn],
        'img-src': ["'self'", ...cdn],
        'connect-src': ["'self'", sameHostSockets],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        // No upgrade-insecure-requests: on a plain-HTTP deployment it would turn the client's ws:// into wss://.
      },
    },
    // Stylesheets and images fetched from a CDN are no-cors loads that `same-origin` would block.
    crossOriginResourcePolicy: { policy: cdn.length > 0 ? 'cross-origin' : 'same-origin' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: false,
  });
}
