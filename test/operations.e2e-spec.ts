import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readMetric, sample, scrapeMetrics } from './utils/metrics.js';
import { startApp, type TestApp } from './utils/test-app.js';
import { waitFor } from './utils/wait-for.mjs';

const PUBLIC_DIR = new URL('../public/', import.meta.url);
/** The SDK's bundle (`npm run build:client`), which the page imports as switchboard-client.js. */
const CLIENT_BUNDLE = new URL('../packages/client/dist/index.min.js', import.meta.url);
const TIMEOUT_MS = 5000;

/** Where an asset's source is: public/, or the SDK's dist/ for switchboard-client.js. */
function sourceOf(name: string): URL {
  return name === 'switchboard-client.js' ? CLIENT_BUNDLE : new URL(name, PUBLIC_DIR);
}

/** Every `src` and `href` in a page. */
function referencesIn(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
}

/** The first 12 hex digits of the SHA-256 of an asset's source, as asset names carry it. */
async function contentHashOf(name: string): Promise<string> {
  const body = await readFile(sourceOf(name));
  return createHash('sha256').update(body).digest('hex').slice(0, 12);
}

describe('web client', () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await startApp();
  });

  afterEach(async () => {
    await sut.close();
  });

  it('serves GET / as HTML that must be revalidated', async () => {
    const response = await fetch(`${sut.httpUrl}/`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('<title>Switchboard</title>');
  });

  it('references the script and stylesheet by content-hashed names under /assets/', async () => {
    const html = await (await fetch(`${sut.httpUrl}/`)).text();

    const references = referencesIn(html);
    expect(references).toContain(`/assets/app.${await contentHashOf('app.css')}.css`);
    expect(references).toContain(
      `/assets/switchboard-client.${await contentHashOf('switchboard-client.js')}.js`,
    );
    for (const reference of references.filter((ref) => ref.includes('/assets/')))
      expect(reference).toMatch(/^\/assets\/[\w-]+\.[0-9a-f]{12}\.\w+$/);
  });

  it('names a module by the hash of what it imports too: app.js imports the SDK by its hashed name', async () => {
    const html = await (await fetch(`${sut.httpUrl}/`)).text();
    const [script] = referencesIn(html).filter((ref) => /^\/assets\/app\.\w+\.js$/.test(ref));

    const body = await (await fetch(`${sut.httpUrl}${script}`)).text();

    expect(body).toContain(
      `from './switchboard-client.${await contentHashOf('switchboard-client.js')}.js'`,
    );
    expect(script).toBe(
      `/assets/app.${createHash('sha256').update(body).digest('hex').slice(0, 12)}.js`,
    );
  });

  it('serves every referenced asset, immutable for a year, with its content type and body', async () => {
    const html = await (await fetch(`${sut.httpUrl}/`)).text();
    const assets = referencesIn(html).filter((ref) => ref.startsWith('/assets/'));
    expect(assets.length).toBeGreaterThanOrEqual(2);

    for (const asset of assets) {
      const response = await fetch(`${sut.httpUrl}${asset}`);
      const original = asset.replace(/^\/assets\/([\w-]+)\.[0-9a-f]{12}(\.\w+)$/, '$1$2');

      expect(response.status, asset).toBe(200);
      expect(response.headers.get('cache-control'), asset).toBe(
        'public, max-age=31536000, immutable',
      );
      const body = Buffer.from(await response.arrayBuffer());
      expect(asset, 'named by the hash of what it serves').toContain(
        createHash('sha256').update(body).digest('hex').slice(0, 12),
      );
      // Served as written, but for the hashed names of the modules it imports.
      expect(body.toString('utf8').replace(/\.\/([\w-]+)\.[0-9a-f]{12}\.js/g, './$1.js')).toBe(
        await readFile(sourceOf(original), 'utf8'),
      );
    }
  });

  it('serves scripts and stylesheets with their content types', async () => {
    const html = await (await fetch(`${sut.httpUrl}/`)).text();
    const [script] = referencesIn(html).filter((ref) => /^\/assets\/app\.\w+\.js$/.test(ref));
    const [stylesheet] = referencesIn(html).filter((ref) => /^\/assets\/app\.\w+\.css$/.test(ref));

    expect((await fetch(`${sut.httpUrl}${script}`)).headers.get('content-type')).toMatch(
      /^text\/javascript/,
    );
    expect((await fetch(`${sut.httpUrl}${stylesheet}`)).headers.get('content-type')).toMatch(
      /^text\/css/,
    );
  });

  it('answers 404 for an unknown asset', async () => {
    const response = await fetch(`${sut.httpUrl}/assets/nope.0123456789ab.js`);

    expect(response.status).toBe(404);
  });

  it('answers 404 for an asset by its unhashed name, which could never be cached safely', async () => {
    const response = await fetch(`${sut.httpUrl}/assets/app.js`);

    expect(response.status).toBe(404);
  });
});

describe('web client with ASSET_BASE_URL', () => {
  let sut: TestApp;

  afterEach(async () => {
    await sut.close();
  });

  it('points index.html at the CDN for every asset', async () => {
    sut = await startApp({ ASSET_BASE_URL: 'https://cdn.example.com' });

    const html = await (await fetch(`${sut.httpUrl}/`)).text();

    const references = referencesIn(html);
    expect(references).toContain(
      `https://cdn.example.com/assets/switchboard-client.${await contentHashOf('switchboard-client.js')}.js`,
    );
    expect(references).toContain(
      `https://cdn.example.com/assets/app.${await contentHashOf('app.css')}.css`,
    );
    expect(references.filter((ref) => ref.startsWith('/assets/'))).toEqual([]);
  });

  it('does not double the slash when the base URL ends with one', async () => {
    sut = await startApp({ ASSET_BASE_URL: 'https://cdn.example.com/switchboard/' });

    const html = await (await fetch(`${sut.httpUrl}/`)).text();

    expect(referencesIn(html)).toContain(
      `https://cdn.example.com/switchboard/assets/app.${await contentHashOf('app.css')}.css`,
    );
    expect(html).not.toContain('switchboard//assets');
  });
});

describe('operations endpoints', () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await startApp();
  });

  afterEach(async () => {
    await sut.close();
  });

  it('answers /health/live with 200', async () => {
    const response = await fetch(`${sut.httpUrl}/health/live`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('answers /health/ready with 200 and the store up', async () => {
    const response = await fetch(`${sut.httpUrl}/health/ready`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { store: { status: 'up' } },
    });
  });

  it('serves /metrics in the Prometheus text format', async () => {
    const response = await fetch(`${sut.httpUrl}/metrics`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('# TYPE switchboard_connections gauge');
    expect(text).toContain('# TYPE switchboard_messages_in_total counter');
    expect(text).toContain('# TYPE switchboard_errors_total counter');
  });

  it('counts connections, messages in and out, deliveries and errors by code after real traffic', async () => {
    const before = await scrapeMetrics(sut.httpUrl);
    const alice = await sut.connect({ query: { name: 'alice' }, timeoutMs: TIMEOUT_MS });
    const bob = await sut.connect({ query: { name: 'bob' }, timeoutMs: TIMEOUT_MS });

    await alice.request('message', { room: 'lobby', text: 'hello' });
    await bob.next('message');
    alice.sendRaw('{not json');
    await alice.next((frame) => frame.data?.code === 'bad_request', 'a bad_request error');
    await alice.request('no-such-event', {});
    await alice.request('message', { room: 'lobby' });

    const after = await scrapeMetrics(sut.httpUrl);
    const delta = (name: string, labels?: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(sample(after, 'switchboard_connections')).toBe(2);
    expect(delta('switchboard_messages_in_total', { event: 'message' })).toBe(2);
    expect(delta('switchboard_messages_out_total', { event: 'message' })).toBe(1);
    expect(delta('switchboard_deliveries_total')).toBeGreaterThanOrEqual(1);
    expect(delta('switchboard_errors_total', { code: 'bad_request' })).toBe(1);
    expect(delta('switchboard_errors_total', { code: 'unknown_event' })).toBe(1);
    expect(delta('switchboard_errors_total', { code: 'validation_failed' })).toBe(1);
  });

  it('counts a connection out once it closes', async () => {
    await sut.connect({ timeoutMs: TIMEOUT_MS });
    const leaving = await sut.connect({ timeoutMs: TIMEOUT_MS });

    await leaving.close();

    await waitFor(
      async () => (await readMetric(sut.httpUrl, 'switchboard_connections')) === 1,
      'one open connection once one of two closed',
      TIMEOUT_MS,
    );
  });
});
