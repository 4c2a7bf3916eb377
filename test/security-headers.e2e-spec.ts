import { httpGet } from './utils/http-get.js';
import { startApp, type TestApp, type TestEnv } from './utils/test-app.js';

/** The directives of a Content-Security-Policy header, by name. */
function directivesOf(header: string | null): Record<string, string[]> {
  expect(header, 'Content-Security-Policy header').toBeTruthy();
  return Object.fromEntries(
    header!.split(';').map((directive) => {
      const [name, ...values] = directive.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('security headers on every HTTP response', () => {
  let sut: TestApp | undefined;

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
  });

  async function boot(env: TestEnv = {}): Promise<TestApp> {
    sut = await startApp(env);
    return sut;
  }

  /** The hashed name of the client script, as the page links it. */
  async function scriptPath(app: TestApp): Promise<string> {
    const html = await (await fetch(`${app.httpUrl}/`)).text();
    return /<script type="module" src="([^"]+)"/.exec(html)![1];
  }

  it('sends a strict policy, nosniff, DENY framing, no referrer, and no X-Powered-By on /, an asset, health and a 404', async () => {
    const app = await boot();
    const paths = ['/', await scriptPath(app), '/health/live', '/metrics', '/no-such-page'];

    for (const path of paths) {
      const response = await fetch(`${app.httpUrl}${path}`);
      const csp = directivesOf(response.headers.get('content-security-policy'));
      expect(csp['default-src'], path).toEqual(["'none'"]);
      expect(csp['script-src'], path).toEqual(["'self'"]);
      expect(csp['style-src'], path).toEqual(["'self'"]);
      expect(csp['frame-ancestors'], path).toEqual(["'none'"]);
      expect(csp['connect-src'], path).toEqual([
        "'self'",
        `ws://127.0.0.1:${app.port}`,
        `wss://127.0.0.1:${app.port}`,
      ]);
      expect(csp, path).not.toHaveProperty('upgrade-insecure-requests');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
      expect(response.headers.has('x-powered-by'), path).toBe(false);
    }
  });

  it('allows scripts, styles and images from the ASSET_BASE_URL origin, loadable cross-origin', async () => {
    const app = await boot({ ASSET_BASE_URL: 'https://cdn.example.com/switchboard/' });

    const response = await fetch(`${app.httpUrl}/`);

    const csp = directivesOf(response.headers.get('content-security-policy'));
    for (const directive of ['script-src', 'style-src', 'img-src'])
      expect(csp[directive], directive).toEqual(["'self'", 'https://cdn.example.com']);
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('names no WebSocket host when the Host header is not a plain host', async () => {
    const app = await boot();

    const response = await httpGet(app.port, '/', { Host: 'evil;script-src *' });

    expect(response.status).toBe(200);
    const csp = response.headers['content-security-policy'] as string;
    expect(directivesOf(csp)['connect-src']).toEqual(["'self'"]);
    expect(directivesOf(csp)['script-src']).toEqual(["'self'"]);
  });
});
