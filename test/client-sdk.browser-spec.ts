import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './utils/browser.js';
import { signToken } from './utils/jwt.js';
import { startApp, type TestApp } from './utils/test-app.js';

const SECRET = 'e2e-secret-that-is-at-least-32-bytes-long';
/** The built package, as a page loads it. */
const DIST = new URL('../packages/client/dist/index.js', import.meta.url);

/** An app's own site on another origin: a blank page, and the SDK at /client.js. */
async function serveApp(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/client.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(readFileSync(DIST));
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>app</title>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** What a page script reports back. */
interface Outcome {
  states: string[];
  ackId?: string;
}

/**
 * Runs the SDK in a blank page on Chromium's own WebSocket: connects with `token` from getToken, sends
 * `text` to the lobby unless the client closes first, and reports the states it went through.
 */
function runInPage(page: Page, url: string, token: string, text: string): Promise<Outcome> {
  const args = JSON.stringify({ url, token, text });
  // A string, not a function: Vitest would rewrite a function's import() for Node.
  return page.evaluate(`(async () => {
    const { url, token, text } = ${args};
    const { SwitchboardClient } = await import('/client.js');
    const client = new SwitchboardClient({
      url,
      getToken: () => token,
      maxFailuresBeforeOpen: 3,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const states = [];
    client.on('state', (s) => states.push(s.status === 'closed' ? 'closed:' + s.reason : s.status));
    client.connect();
    try {
      await client.connected();
    } catch {
      return { states };
    }
    const ack = await client.send('lobby', text);
    client.close();
    return { states, ackId: ack.id };
  })()`) as Promise<Outcome>;
}

describe('the SDK in Chromium, on the native WebSocket', () => {
  let browser: Browser;
  let site: Server;
  let sut: TestApp;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    site = await serveApp();
  });

  beforeEach(async () => {
    sut = await startApp({ JWT_SECRET: SECRET });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
  });

  afterEach(async () => {
    await page.close();
    await sut.close();
  });

  afterAll(async () => {
    await browser.close();
    await new Promise((resolve) => site.close(resolve));
  });

  it('connects with the token in Sec-WebSocket-Protocol and chats', async () => {
    const bob = await sut.connect({
      headers: { Authorization: `Bearer ${await signToken({ sub: 'bob' }, SECRET)}` },
      timeoutMs: 10_000,
    });
    const token = await signToken({ sub: 'ann', name: 'Ann' }, SECRET);

    const outcome = await runInPage(page, sut.wsUrl, token, 'from chromium');

    const { data } = await bob.next('message');
    expect(data).toMatchObject({ id: outcome.ackId, text: 'from chromium', from: { name: 'Ann' } });
    expect(outcome.states).toEqual(['connecting', 'connected', 'closed:client_closed']);
  });

  it('stops as unreachable when every handshake is refused (a browser sees no 401)', async () => {
    const outcome = await runInPage(page, sut.wsUrl, 'not.a.jwt', 'never sent');

    expect(outcome.states.at(-1)).toBe('closed:unreachable');
    expect(outcome.states.filter((s) => s === 'connecting')).toHaveLength(3);
  });
});
