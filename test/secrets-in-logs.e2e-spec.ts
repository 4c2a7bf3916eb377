import { createHash } from 'node:crypto';
import { apiKey, apiKeysEnv } from './utils/api-keys.js';
import { freePort } from './utils/free-port.mjs';
import { ServerProcess } from './utils/server-process.js';
import { TestClient } from './utils/test-client.js';
import { WebhookReceiver } from './utils/webhook-receiver.js';

const WEBHOOK_SECRET = 'whsec-0123456789abcdef-logs';

describe('server API keys and webhook secrets, in the logs of a server process at debug', () => {
  let server: ServerProcess | undefined;
  let receiver: WebhookReceiver | undefined;

  afterEach(async () => {
    await server?.kill();
    await receiver?.close();
  });

  it('logs neither a key (accepted, refused or its hash) nor the signing secret or a signature', async () => {
    // Every attempt fails, so that the delivery's give-up is logged (the line that could leak).
    receiver = await WebhookReceiver.start(() => 500);
    const key = apiKey('deploys');
    const port = await freePort();
    server = await ServerProcess.start({
      PORT: String(port),
      LOG_LEVEL: 'debug',
      ...apiKeysEnv(key),
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET,
      WEBHOOK_EVENTS: 'member.joined',
      WEBHOOK_MAX_ATTEMPTS: '2',
      WEBHOOK_RETRY_BASE_MS: '10',
      WEBHOOK_RETRY_MAX_MS: '20',
    });
    const api = `http://127.0.0.1:${port}/api/v1/rooms/ops/messages`;
    const post = (authorization: string) =>
      fetch(api, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'deployed' }),
      });

    expect((await post(key.bearer.authorization)).status).toBe(201);
    expect((await post(`Bearer ${key.secret}x`)).status).toBe(401);
    const alice = await TestClient.connect(`ws://127.0.0.1:${port}/?uid=alice`);
    await alice.request('join', { room: 'ops' });
    await alice.close();
    await server.waitReady(
      async () => server!.output.includes('given up after 2 attempts'),
      'to log the webhook given up',
      10_000,
    );

    const signatures = receiver.requests.map((request) => request.signature ?? '');
    expect(signatures.length).toBeGreaterThan(0);
    const output = server.output;
    expect(output).not.toContain(key.secret);
    expect(output).not.toContain(key.secret.slice(3, 20));
    expect(output).not.toContain(createHash('sha256').update(`${key.secret}x`).digest('hex'));
    expect(output).not.toContain(key.config.sha256);
    expect(output).not.toContain(WEBHOOK_SECRET);
    for (const signature of signatures) expect(output).not.toContain(signature.slice(3));
  });
});
