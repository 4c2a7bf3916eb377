import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  appConfig,
  InvalidConfigurationError,
  SwitchboardModule,
  useSwitchboard,
  type AppConfig,
  type SwitchboardOptions,
} from '../src/index.js';
import { serveApp, type TestApp } from './utils/test-app.js';
import { connectUsers, userOf } from './utils/users.js';

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

@Controller('host')
class HostController {
  constructor(private readonly pings: PingService) {}

  @Get('ping')
  ping(): { reply: string } {
    return this.pings.ping();
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
  providers: [PingService],
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
