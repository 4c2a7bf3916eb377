import { Body, Controller, Get, Injectable, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  appConfig,
  ChatErrorCode,
  ChatException,
  ChatPublisher,
  CloseCode,
  InvalidConfigurationError,
  SwitchboardModule,
  useSwitchboard,
  type AppConfig,
  type SwitchboardOptions,
} from '../src/index.js';
import { serveApp, type TestApp } from './utils/test-app.js';
import { UpgradeRefused } from './utils/test-client.js';
import { asUser, connectUsers, userOf } from './utils/users.js';

/** The host's own configuration, which also holds what it gives Switchboard. */
@Injectable()
class HostSettings {
  readonly greeting = 'pong from the host';

  chatOptions(): SwitchboardOptions {
    return {
      DEFAULT_ROOM: 'host-lobby',
      MAX_TEXT_LENGTH: 10,
      DATABASE_URL: 'memory',
      LOG_LEVEL: 'silent',
    };
  }
}

@Module({ providers: [HostSettings], exports: [HostSettings] })
class HostSettingsModule {}

/** A service of the host, beside Switchboard's. */
@Injectable()
class PingService {
  constructor(private readonly settings: HostSettings) {}

  ping(): { reply: string } {
    return { reply: this.settings.greeting };
  }
}

/** A service of the host that talks to the chat from the server side, through the injected publisher. */
@Injectable()
class DeployNotices {
  constructor(readonly publisher: ChatPublisher) {}

  /** Tells a room a deploy finished, once per deploy id however often it is retried. */
  async finished(room: string, deployId: string): Promise<{ id: string; duplicate: boolean }> {
    const { message, duplicate } = await this.publisher.publish(room, 'deployed', {
      from: { id: 'server:deploys', name: 'Deploys' },
      idempotencyKey: `deploy-${deployId}`,
    });
    return { id: message.id, duplicate };
  }
}

@Controller('host')
class HostController {
  constructor(
    private readonly pings: PingService,
    private readonly notices: DeployNotices,
  ) {}

  @Get('ping')
  ping(): { reply: string } {
    return this.pings.ping();
  }

  @Post('deploys/:id/finished')
  async deployed(
    @Param('id') id: string,
    @Body() body: { room: string },
  ): Promise<{ id: string; duplicate: boolean }> {
    return this.notices.finished(body.room, id);
  }
}

/** The host application: its own controller and providers, and Switchboard configured from its settings. */
@Module({
  imports: [
    HostSettingsModule,
    SwitchboardModule.forRootAsync({
      imports: [HostSettingsModule],
      inject: [HostSettings],
      useFactory: (settings: HostSettings) => settings.chatOptions(),
    }),
  ],
  controllers: [HostController],
  providers: [PingService, DeployNotices],
})
class HostAppModule {}

describe('SwitchboardModule imported by a host application', () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await serveApp(
      useSwitchboard(await NestFactory.create(HostAppModule, { logger: false })),
    );
  });

  afterEach(async () => {
    await sut.close();
  });

  it("serves the host's own HTTP route beside the chat", async () => {
    const response = await fetch(`${sut.httpUrl}/host/ping`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ reply: 'pong from the host' });
  });

  it('acks a message and fans it out to the other member of a joined room', async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
    expect((await alice.request('join', { room: 'ops' })).event).toBe('joined');
    expect((await bob.request('join', { room: 'ops' })).event).toBe('joined');

    const ack = await alice.request('message', { room: 'ops', text: 'hi bob' });

    expect(ack.event).toBe('ack');
    expect(ack.data).toMatchObject({ room: 'ops', id: expect.any(String) });
    const received = await bob.next('message', "bob's copy of alice's message");
    expect(received.data).toMatchObject({
      room: 'ops',
      id: ack.data.id,
      text: 'hi bob',
      from: userOf('alice'),
    });
  });

  it("runs with the options the host's provider gave: its default room and text limit", async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

    expect((await alice.request('message', { room: 'host-lobby', text: 'hello' })).event).toBe(
      'ack',
    );
    expect((await bob.next('message', 'the message in the default room')).data.text).toBe('hello');
    const refused = await alice.request('message', { room: 'host-lobby', text: 'eleven char' });
    expect(refused.data.code).toBe('validation_failed');
  });

  it('exposes the validated settings to the host under appConfig.KEY, defaults filled in', async () => {
    const settings = sut.app.get<AppConfig>(appConfig.KEY);

    expect(settings).toMatchObject({ DEFAULT_ROOM: 'host-lobby', MAX_TEXT_LENGTH: 10, PORT: 8080 });
  });
});

describe('ChatPublisher injected in a host application', () => {
  const system = { id: 'server:system', name: 'System' };
  let sut: TestApp;
  let publisher: ChatPublisher;

  beforeEach(async () => {
    sut = await serveApp(
      useSwitchboard(await NestFactory.create(HostAppModule, { logger: false })),
    );
    publisher = sut.app.get(DeployNotices).publisher;
  });

  afterEach(async () => {
    await sut.close();
  });

  /** The refusal a publisher call ends in. */
  async function refusalOf(call: Promise<unknown>): Promise<ChatException> {
    const error = await call.then(
      () => expect.fail('the publisher accepted it'),
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ChatException);
    return error as ChatException;
  }

  it('publishes to a room as a chat message with an id, after the messages sent before it', async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
    await alice.request('join', { room: 'ops' });
    await bob.request('join', { room: 'ops' });
    const own = await alice.request('message', { room: 'ops', text: 'first' });

    const published = await publisher.publish('ops', ' second ');

    expect(published).toEqual({
      message: {
        id: expect.any(String),
        room: 'ops',
        from: system,
        text: 'second',
        ts: expect.any(Number),
      },
      duplicate: false,
    });
    expect((await alice.next('message', 'the published message')).data).toEqual(published.message);
    const seenByBob = [await bob.next('message'), await bob.next('message')].map((f) => f.data.id);
    expect(seenByBob).toEqual([own.data.id, published.message.id]);
    const history = await alice.request('history', { room: 'ops' });
    expect(history.data.messages.map((m: { text: string }) => m.text)).toEqual(['first', 'second']);
  });

  it("publishes through the host's own HTTP route, stored once for a retried deploy id", async () => {
    const [alice] = await connectUsers(sut, 'alice');
    await alice.request('join', { room: 'ops' });
    const post = () =>
      fetch(`${sut.httpUrl}/host/deploys/d-7/finished`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ room: 'ops' }),
      }).then((response) => response.json() as Promise<{ id: string; duplicate: boolean }>);

    const first = await post();
    const retry = await post();

    expect(first).toEqual({ id: expect.any(String), duplicate: false });
    expect(retry).toEqual({ id: first.id, duplicate: true });
    const received = await alice.collect('message', 300);
    expect(received.map((frame) => frame.data)).toEqual([
      expect.objectContaining({
        id: first.id,
        text: 'deployed',
        from: { id: 'server:deploys', name: 'Deploys' },
      }),
    ]);
    expect((await publisher.roomHistory('ops')).map((m) => m.id)).toEqual([first.id]);
  });

  it('sends a DM to every socket of the user, with one id', async () => {
    const laptop = await sut.connect(asUser('bob'));
    const phone = await sut.connect(asUser('bob'));

    const { message } = await publisher.dm('bob', 'your turn');

    for (const socket of [laptop, phone])
      expect((await socket.next('dm', "bob's copy of the server's DM")).data).toEqual({
        id: message.id,
        from: system,
        to: 'bob',
        text: 'your turn',
        ts: message.ts,
      });
  });

  it('refuses to send as a real user unless the host says it impersonates', async () => {
    const [bob] = await connectUsers(sut, 'bob');

    const refused = await refusalOf(publisher.dm('bob', 'hi', { from: userOf('alice') }));
    expect(refused.code).toBe(ChatErrorCode.ValidationFailed);

    await publisher.dm('bob', 'hi', { from: userOf('alice'), impersonate: true });
    expect((await bob.next('dm')).data.from).toEqual(userOf('alice'));
  });

  it('refuses a socket that claims a server sender id', async () => {
    const refused = await sut.connect(asUser('server:system')).then(
      () => expect.fail('a socket connected as the server sender'),
      (error: unknown) => error,
    );

    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect((refused as UpgradeRefused).status).toBe(401);
  });

  it("sends a custom event to a room's sockets and to a user's, refusing the protocol's own names", async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
    await alice.request('join', { room: 'ops' });

    await publisher.emitToRoom('ops', 'deploy.status', { stage: 'canary' });
    await publisher.emitToUser('bob', 'nudge', { from: 'ops team' });

    expect(await alice.next('deploy.status')).toEqual({
      event: 'deploy.status',
      data: { stage: 'canary' },
    });
    expect(await bob.next('nudge')).toEqual({ event: 'nudge', data: { from: 'ops team' } });
    expect(await bob.collect('deploy.status', 100)).toEqual([]);
    const refused = await refusalOf(publisher.emitToUser('bob', 'message', { text: 'spoof' }));
    expect(refused.code).toBe(ChatErrorCode.ValidationFailed);
  });

  it('takes a user out of a room: they get left, the others presence leave, and no more messages', async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
    await alice.request('join', { room: 'ops' });
    await bob.request('join', { room: 'ops' });

    await publisher.leave('bob', 'ops');

    expect(await bob.next('left')).toEqual({ event: 'left', data: { room: 'ops' } });
    const leave = await alice.next(
      (frame) => frame.event === 'presence' && frame.data.action === 'leave',
      "bob's presence leave",
    );
    expect(leave.data).toEqual({ room: 'ops', user: userOf('bob'), action: 'leave' });
    expect(await publisher.members('ops')).toEqual({ members: [userOf('alice')], count: 1 });
    await publisher.publish('ops', 'after');
    expect(await bob.collect('message', 150)).toEqual([]);
    const refused = await bob.request('message', { room: 'ops', text: 'back?' });
    expect(refused.data.code).toBe('not_in_room');
  });

  it('disconnects every socket of a user with 4003 and the reason, leaving the others connected', async () => {
    const laptop = await sut.connect(asUser('bob'));
    const phone = await sut.connect(asUser('bob'));
    const [alice] = await connectUsers(sut, 'alice');

    await publisher.disconnect('bob', 'account closed');

    for (const socket of [laptop, phone])
      expect(await socket.waitClosed()).toEqual({
        code: CloseCode.ServerDisconnect,
        reason: 'account closed',
      });
    expect(alice.isOpen).toBe(true);
    expect((await alice.request('join', { room: 'host-lobby' })).data.members).toEqual([
      userOf('alice'),
    ]);
  });

  it('reads who is in a room and a page of its history', async () => {
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');
    await alice.request('join', { room: 'ops' });
    await bob.request('join', { room: 'ops' });
    for (const text of ['a', 'b', 'c']) await alice.request('message', { room: 'ops', text });

    const { members, count } = await publisher.members('ops');
    const page = await publisher.roomHistory('ops', { limit: 2 });

    expect(count).toBe(2);
    expect(members).toEqual(expect.arrayContaining([userOf('alice'), userOf('bob')]));
    expect(page.map((m) => m.text)).toEqual(['b', 'c']);
    const older = await publisher.roomHistory('ops', { before: page[0].id });
    expect(older.map((m) => m.text)).toEqual(['a']);
  });
});

describe('SwitchboardModule.forRootAsync with useClass', () => {
  it("takes its options from the host's class", async () => {
    class ChatOptionsFactory {
      createSwitchboardOptions(): SwitchboardOptions {
        return { DATABASE_URL: 'memory', LOG_LEVEL: 'silent', MAX_ROOMS_PER_CONNECTION: 7 };
      }
    }
    @Module({ imports: [SwitchboardModule.forRootAsync({ useClass: ChatOptionsFactory })] })
    class ClassHostModule {}

    const app = await NestFactory.create(ClassHostModule, { logger: false });
    try {
      expect(app.get<AppConfig>(appConfig.KEY).MAX_ROOMS_PER_CONNECTION).toBe(7);
    } finally {
      await app.close();
    }
  });
});

describe('SwitchboardModule.forRoot with a bad option', () => {
  it('refuses to boot, naming every bad key', async () => {
    @Module({
      imports: [
        SwitchboardModule.forRoot({ DATABASE_URL: 'memory', MAX_TEXT_LENGTH: 0, PORT: 70000 }),
      ],
    })
    class BadHostModule {}

    const boot = NestFactory.create(BadHostModule, { logger: false, abortOnError: false });

    const error = await boot.then(
      () => expect.fail('the host booted with bad options'),
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect((error as InvalidConfigurationError).keys).toEqual(['PORT', 'MAX_TEXT_LENGTH']);
    expect((error as Error).message).toContain('MAX_TEXT_LENGTH=0');
  });
});
