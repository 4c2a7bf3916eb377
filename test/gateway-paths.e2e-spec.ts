import { Injectable, Module, Scope } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { GatewayRoute } from '../src/fast-path/gateway-route.js';
import { NestHandlerRoute } from '../src/fast-path/nest-handler-route.js';
import { startApp, type TestApp } from './utils/test-app.js';
import { TestClient } from './utils/test-client.js';
import { waitFor } from './utils/wait-for.mjs';

/** A gateway that answers `whoami` with its own name: its subclasses have exactly the same events. */
class NamedGateway {
  protected readonly name: string = 'named';

  @SubscribeMessage('whoami')
  whoami(): { event: string; data: object } {
    return { event: 'whoami', data: { gateway: this.name } };
  }
}

@WebSocketGateway({ path: '/a' })
class GatewayA extends NamedGateway {
  protected override readonly name = 'a';
}

@WebSocketGateway({ path: '/b' })
class GatewayB extends NamedGateway {
  protected override readonly name = 'b';
}

/** Request-scoped: Nest makes one instance per socket, which only Nest's own handlers resolve. */
@WebSocketGateway({ path: '/scoped' })
@Injectable({ scope: Scope.REQUEST })
class ScopedGateway {
  static made = 0;
  private readonly serial = (ScopedGateway.made += 1);

  @SubscribeMessage('whoami')
  whoami(): { event: string; data: object } {
    return { event: 'whoami', data: { gateway: 'scoped', serial: this.serial } };
  }
}

/** Its connection hooks fail: the lean path reports them and the socket carries on. */
@WebSocketGateway({ path: '/faulty' })
class FaultyHooksGateway extends NamedGateway {
  static faults = 0;
  protected override readonly name = 'faulty';

  handleConnection(): void {
    FaultyHooksGateway.faults += 1;
    throw new Error('connection hook failed');
  }

  async handleDisconnect(): Promise<void> {
    FaultyHooksGateway.faults += 1;
    throw new Error('disconnect hook failed');
  }
}

@Module({ providers: [GatewayA, GatewayB, ScopedGateway] })
class MoreGatewaysModule {}

/** A second gateway on the path GatewayA already listens on. */
@WebSocketGateway({ path: '/a' })
class GatewayBesideA extends NamedGateway {}

@Module({ providers: [GatewayA, GatewayBesideA] })
class SharedPathModule {}

@Module({ providers: [FaultyHooksGateway] })
class FaultyModule {}

/** Which route class ran each event of the test: the lean path's or Nest's own handlers. */
function watchPaths(): () => { lean: string[]; nest: string[] } {
  const lean = vi.spyOn(GatewayRoute.prototype, 'handle');
  const nest = vi.spyOn(NestHandlerRoute.prototype, 'handle');
  // `handle(client, data, …)`: each frame is named by its `tag` (a `whoami`) or its `text` (a `message`).
  const events = (spy: typeof lean) =>
    spy.mock.calls.map(([, data]) => {
      const { tag, text } = data as { tag?: string; text?: string };
      return tag ?? text ?? '?';
    });
  return () => ({ lean: events(lean), nest: events(nest) });
}

describe('gateway paths: which handlers run a socket’s events', () => {
  let sut: TestApp;
  const clients: TestClient[] = [];
  const connect = async (path: string) => {
    const client = await TestClient.connect(`ws://127.0.0.1:${sut.port}${path}`);
    clients.push(client);
    return client;
  };

  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await sut.close();
  });

  describe.each([
    { GATEWAY_FAST_PATH: 'true', ran: 'lean' as const },
    { GATEWAY_FAST_PATH: 'false', ran: 'nest' as const },
  ])('GATEWAY_FAST_PATH=$GATEWAY_FAST_PATH', ({ GATEWAY_FAST_PATH, ran }) => {
    beforeEach(async () => {
      ScopedGateway.made = 0;
      sut = await startApp({ GATEWAY_FAST_PATH }, undefined, [MoreGatewaysModule]);
    });

    it(`runs the built-in gateway on ${ran === 'lean' ? 'the lean path' : "Nest's own handlers"}, with the same reply`, async () => {
      const paths = watchPaths();
      const client = await sut.connect();

      const reply = await client.request('message', { room: 'lobby', text: 'message' });

      expect(reply).toMatchObject({ event: 'ack', data: { ref: expect.any(String) } });
      expect(paths()).toEqual(
        ran === 'lean' ? { lean: ['message'], nest: [] } : { lean: [], nest: ['message'] },
      );
    });

    it('tells apart two gateways with the same events, each answering from its own instance', async () => {
      const paths = watchPaths();
      const [a, b] = [await connect('/a'), await connect('/b')];

      const replies = [
        await a.request('whoami', { tag: 'a' }),
        await b.request('whoami', { tag: 'b' }),
      ];

      expect(replies.map((reply) => reply.data)).toEqual([
        { gateway: 'a', ref: expect.any(String) },
        { gateway: 'b', ref: expect.any(String) },
      ]);
      expect(paths()).toEqual(
        ran === 'lean' ? { lean: ['a', 'b'], nest: [] } : { lean: [], nest: ['a', 'b'] },
      );
    });

    it("runs a request-scoped gateway on Nest's own handlers, an instance per socket", async () => {
      const paths = watchPaths();
      const [first, second] = [await connect('/scoped'), await connect('/scoped')];

      const replies = [
        await first.request('whoami', { tag: 'first' }),
        await first.request('whoami', { tag: 'first again' }),
        await second.request('whoami', { tag: 'second' }),
      ];

      const serials = replies.map((reply) => (reply.data as { serial: number }).serial);
      expect(serials[0]).toBe(serials[1]);
      expect(serials[2]).not.toBe(serials[0]);
      expect(paths()).toEqual({ lean: [], nest: ['first', 'first again', 'second'] });
    });

    it.runIf(ran === 'lean')(
      'reports a failing handleConnection and handleDisconnect, and the socket still works',
      async () => {
        await sut.close();
        FaultyHooksGateway.faults = 0;
        sut = await startApp({ GATEWAY_FAST_PATH, LOG_LEVEL: 'silent' }, undefined, [FaultyModule]);
        const client = await connect('/faulty');

        const reply = await client.request('whoami', { tag: 'after a failed hook' });
        await client.close();

        expect(reply.data).toEqual({ gateway: 'faulty', ref: expect.any(String) });
        await waitFor(() => FaultyHooksGateway.faults === 2, 'both hooks ran');
      },
    );

    it('refuses to boot with two gateways on one path, naming it', async () => {
      await expect(startApp({ GATEWAY_FAST_PATH }, undefined, [SharedPathModule])).rejects.toThrow(
        'two gateways listen on the same port and path (0 /a): give each its own path',
      );
    });
  });
});
