import { freePort } from './utils/free-port.mjs';
import { ServerProcess } from './utils/server-process.js';
import { TestClient } from './utils/test-client.js';
import { waitFor } from './utils/wait-for.mjs';

/** The JSON log lines the process wrote whose message is `refused`. */
function refusalLines(server: ServerProcess): Record<string, unknown>[] {
  // Only whole lines: the last one may still be arriving.
  return server.output
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'refused');
}

describe('refused events in the logs of the server process', { timeout: 30_000 }, () => {
  let server: ServerProcess;
  let client: TestClient;

  async function start(level: string): Promise<void> {
    const port = String(await freePort());
    server = await ServerProcess.start({ PORT: port, LOG_LEVEL: level });
    client = await TestClient.connect(`ws://127.0.0.1:${port}/`, {
      query: { uid: 'u-mallory', name: 'mallory' },
      timeoutMs: 5000,
    });
  }

  afterEach(async () => {
    await client?.close();
    await server?.kill();
  });

  it('logs each refusal at debug as one line with the event, the code and the user, never the text', async () => {
    await start('debug');

    const unknown = await client.request('shout', { text: 'secret-words-1' });
    const notInRoom = await client.request('message', { room: 'vault', text: 'secret-words-2' });

    expect([unknown.data.code, notInRoom.data.code]).toEqual(['unknown_event', 'not_in_room']);
    await waitFor(() => refusalLines(server).length >= 2, 'two refusal log lines');
    expect(refusalLines(server)).toEqual([
      expect.objectContaining({ event: 'shout', code: 'unknown_event', user: 'u-mallory' }),
      expect.objectContaining({ event: 'message', code: 'not_in_room', user: 'u-mallory' }),
    ]);
    expect(refusalLines(server)[0].level).toBe(20);
    expect(server.output).not.toContain('secret-words');
  });

  it('logs no refusal at info', async () => {
    await start('info');

    await client.request('shout', { text: 'secret-words' });
    await client.request('message', { room: 'vault', text: 'secret-words' });
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(refusalLines(server)).toEqual([]);
  });
});
