import { OpsServer } from '../src/ops/ops-server.js';
import { startApp, type TestApp } from './utils/test-app.js';

const OPS_PATHS = ['/health/live', '/health/ready', '/metrics'];

describe('the ops port (OPS_PORT)', () => {
  let sut: TestApp | undefined;

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
  });

  it('serves health and metrics on OPS_PORT and answers 404 for them on PORT', async () => {
    sut = await startApp({ OPS_PORT: '0', OPS_HOST: '127.0.0.1' });
    const opsUrl = `http://127.0.0.1:${sut.app.get(OpsServer).port}`;

    for (const path of OPS_PATHS) {
      expect((await fetch(`${opsUrl}${path}`)).status, `${path} on OPS_PORT`).toBe(200);
      expect((await fetch(`${sut.httpUrl}${path}`)).status, `${path} on PORT`).toBe(404);
    }
    expect(await (await fetch(`${opsUrl}/metrics`)).text()).toContain('switchboard_connections');
  });

  it('serves nothing else on OPS_PORT, and the web client still on PORT', async () => {
    sut = await startApp({ OPS_PORT: '0', OPS_HOST: '127.0.0.1' });
    const opsUrl = `http://127.0.0.1:${sut.app.get(OpsServer).port}`;

    expect((await fetch(`${opsUrl}/`)).status).toBe(404);
    expect((await fetch(`${opsUrl}/health`)).status).toBe(404);
    expect((await fetch(`${sut.httpUrl}/`)).status).toBe(200);
  });

  it('keeps health and metrics on PORT when OPS_PORT is unset', async () => {
    sut = await startApp();

    expect(sut.app.get(OpsServer).port).toBeUndefined();
    for (const path of OPS_PATHS)
      expect((await fetch(`${sut.httpUrl}${path}`)).status, path).toBe(200);
  });

  it('frees OPS_PORT when the app closes', async () => {
    const app = await startApp({ OPS_PORT: '0', OPS_HOST: '127.0.0.1' });
    const opsUrl = `http://127.0.0.1:${app.app.get(OpsServer).port}`;
    await fetch(`${opsUrl}/health/live`);

    await app.close();

    await expect(fetch(`${opsUrl}/health/live`)).rejects.toThrow();
  });
});
