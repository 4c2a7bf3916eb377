import {
  Catch,
  UseFilters,
  UseGuards,
  UseInterceptors,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
  type WsExceptionFilter,
} from '@nestjs/common';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { IsString, MaxLength } from 'class-validator';
import { DiscoveryService, ModulesContainer } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { map, of, type Observable } from 'rxjs';
import { ChatGateway } from '../src/gateway/chat.gateway.js';
import { ChatRequestDto } from '../src/gateway/dto/chat-request.dto.js';
import type { ChatSession } from '../src/domain/session.js';
import { containerOf } from '../src/fast-path/nest-internals.js';
import { ClientEvent } from '../src/protocol/chat.events.js';
import { refOf } from '../src/protocol/error-frame.js';
import { gatewayEndpoint } from '../src/fast-path/gateway-endpoint.js';
import { GatewayRoute } from '../src/fast-path/gateway-route.js';
import { GatewayRoutes } from '../src/fast-path/gateway-routes.js';
import { NestHandlerRoute } from '../src/fast-path/nest-handler-route.js';
import { leanPathByDefault, startApp, type TestApp } from './utils/test-app.js';

/** An asynchronous guard: lets every word through but "blocked". */
class WordGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    await sleep(1);
    return context.switchToWs().getData<{ word?: unknown }>().word !== 'blocked';
  }
}

/** A parameter pipe. */
class ShoutPipe implements PipeTransform {
  transform(value: unknown): unknown {
    return typeof value === 'string' ? value.toUpperCase() : value;
  }
}

/** An rxjs interceptor that changes the reply, as a user's may. */
class StampInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((frame: { event: string; data: object }) => ({
        ...frame,
        data: { ...frame.data, stamped: true },
      })),
    );
  }
}

class TeapotError extends Error {}

/** A user's filter for a user's exception, beside the gateway's own `ChatExceptionFilter`. */
@Catch(TeapotError)
class TeapotFilter implements WsExceptionFilter {
  catch(error: TeapotError, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    ws.getClient<ChatSession>().send(
      JSON.stringify({
        event: 'error',
        data: { code: 'teapot', message: error.message, ref: refOf(ws.getData()) },
      }),
    );
  }
}

class EchoDto extends ChatRequestDto {
  @IsString() @MaxLength(10) word!: string;
}

/** What a user adds: events with their own guard, pipe, interceptor and filter, on top of the gateway's. */
class ExtendedGateway extends ChatGateway {
  /** Words the echo handler itself saw. */
  static readonly echoed: string[] = [];

  @SubscribeMessage('echo')
  @UseGuards(new WordGuard())
  @UseInterceptors(new StampInterceptor())
  @UseFilters(new TeapotFilter())
  echo(
    @MessageBody() dto: EchoDto,
    @MessageBody('word', new ShoutPipe()) shouted: string,
  ): { event: string; data: object } {
    ExtendedGateway.echoed.push(dto.word);
    if (dto.word === 'teapot') throw new TeapotError('short and stout');
    return { event: 'echo', data: { word: dto.word, shouted } };
  }

  @SubscribeMessage('count')
  count(): Observable<{ event: string; data: object }> {
    return of(1, 2, 3).pipe(map((n) => ({ event: 'count', data: { n } })));
  }
}

// Run by the `e2e` project on the lean path and by `e2e-nest-path` on Nest's own handlers: same wire.
describe(`extending the gateway: a user event runs the whole Nest pipeline (${leanPathByDefault ? 'lean path' : "Nest's handlers"})`, () => {
  let sut: TestApp;

  beforeEach(async () => {
    ExtendedGateway.echoed.length = 0;
    sut = await startApp({}, (builder) =>
      builder.overrideProvider(ChatGateway).useClass(ExtendedGateway),
    );
  });

  afterEach(async () => {
    await sut.close();
  });

  it('compiles the extended gateway, inherited events and new ones alike, for the server it listens on', () => {
    const routes = new GatewayRoutes(
      containerOf(sut.app),
      new DiscoveryService(sut.app.get(ModulesContainer)),
      () => undefined,
    );
    routes.prepare();

    // Every built-in event (whatever the README's guide added), then the two this spec adds.
    expect([...(routes.leanGateway(gatewayEndpoint(0, '/'))?.table.keys() ?? [])].sort()).toEqual(
      [...Object.values(ClientEvent), 'echo', 'count'].sort(),
    );
    // A server no gateway listens on has none.
    expect(routes.leanGateway(gatewayEndpoint(0, '/elsewhere'))).toBeUndefined();
  });

  it('runs the async guard, the gateway pipe, the parameter pipe and the rxjs interceptor', async () => {
    const client = await sut.connect();
    const lean = vi.spyOn(GatewayRoute.prototype, 'handle');
    const nest = vi.spyOn(NestHandlerRoute.prototype, 'handle');

    const reply = await client.request('echo', { word: 'hi' });

    // The path the switch chose ran it, and the other did not: a Nest upgrade that makes the lean path
    // fall back to Nest's handlers fails here.
    const words = (spy: typeof lean) =>
      spy.mock.calls.map(([, data]) => (data as { word?: string }).word);
    expect({ lean: words(lean), nest: words(nest) }).toEqual(
      leanPathByDefault ? { lean: ['hi'], nest: [] } : { lean: [], nest: ['hi'] },
    );
    lean.mockRestore();
    nest.mockRestore();
    expect(reply).toEqual({
      event: 'echo',
      data: { word: 'hi', shouted: 'HI', stamped: true, ref: expect.any(String) },
    });
  });

  it('answers forbidden when the guard says no, and never runs the handler', async () => {
    const client = await sut.connect();

    const reply = await client.request('echo', { word: 'blocked' });

    expect(reply.data).toMatchObject({ code: 'forbidden', message: 'forbidden' });
    expect(ExtendedGateway.echoed).toEqual([]);
  });

  it("validates with the gateway's pipe: validation_failed names the field", async () => {
    const client = await sut.connect();

    const reply = await client.request('echo', { word: 'much too long' });

    expect(reply.data).toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'word', errors: expect.any(Array) }],
    });
  });

  it("hands the user's exception to the user's filter", async () => {
    const client = await sut.connect();

    const reply = await client.request('echo', { word: 'teapot' });

    expect(reply.data).toEqual({
      code: 'teapot',
      message: 'short and stout',
      ref: expect.any(String),
    });
  });

  it('replies once per value of an observable, each with the ref', async () => {
    const client = await sut.connect();

    const first = await client.request('count');
    const rest = [await client.next('count'), await client.next('count')];

    expect([first, ...rest].map((frame) => frame.data)).toEqual([
      { n: 1, ref: first.data.ref },
      { n: 2, ref: first.data.ref },
      { n: 3, ref: first.data.ref },
    ]);
  });

  it('keeps the built-in events and their guards working', async () => {
    const client = await sut.connect();

    const refused = await client.request('message', { room: 'elsewhere', text: 'hi' });
    const ack = await client.request('message', { room: 'lobby', text: 'hi' });

    expect(refused.data).toMatchObject({ code: 'not_in_room' });
    expect(ack.event).toBe('ack');
  });
});
