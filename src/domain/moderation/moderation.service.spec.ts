import { appConfig, parseEnvironment } from '../../config/app-config.js';
import { Broker, type Delivery, type UserCommand } from '../../engine/broker.js';
import { MemoryModerationNotices } from '../../engine/memory/memory-moderation-notices.js';
import { MemoryModerationStore } from '../../engine/memory/memory-moderation-store.js';
import { MemorySlowModeSlots } from '../../engine/memory/memory-slow-mode-slots.js';
import {
  ModerationNotices,
  ModerationStore,
  SERVICE_SCOPE,
  SlowModeSlots,
} from '../../engine/moderation-store.js';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import { Test } from '@nestjs/testing';
import type { Identity } from '../../auth/identity.js';
import { ChatException } from '../chat.exception.js';
import { SessionCommands } from '../session.js';
import { ModerationService } from './moderation.service.js';

class FakeBroker extends Broker {
  readonly published: Delivery[] = [];
  async publish(batch: readonly Delivery[]): Promise<void> {
    this.published.push(...batch);
  }
  listen(): void {}
  async watchRoom(): Promise<void> {}
  async unwatchRoom(): Promise<void> {}
}

const user = (id: string, roles?: string[]): Identity => ({
  user: { id, name: id },
  ...(roles && { roles }),
});
const mod = { identity: user('mod', ['moderator']) };
const server = { server: 'server:system' };

/** The refusal a call throws (sync or async). */
async function refusal(run: () => unknown): Promise<ChatException> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ChatException) return error;
    throw error;
  }
  throw new Error('expected a ChatException');
}

/** This node's sessions, as the publisher's module provides them: records each command applied. */
class RecordingSessions extends SessionCommands {
  readonly applied: Array<[string, UserCommand]> = [];
  apply(userId: string, command: UserCommand): void {
    this.applied.push([userId, command]);
  }
}

describe('ModerationService', () => {
  let sut: ModerationService;
  let broker: FakeBroker;
  let notices: MemoryModerationNotices;
  let store: MemoryModerationStore;
  let sessions: RecordingSessions;

  async function build(env: Record<string, string> = {}): Promise<void> {
    broker = new FakeBroker();
    notices = new MemoryModerationNotices();
    store = new MemoryModerationStore();
    sessions = new RecordingSessions();
    const moduleRef = await Test.createTestingModule({
      providers: [
        ModerationService,
        { provide: appConfig.KEY, useValue: parseEnvironment(env) },
        { provide: ModerationStore, useValue: store },
        { provide: SessionCommands, useValue: sessions },
        { provide: ModerationNotices, useValue: notices },
        { provide: SlowModeSlots, useValue: new MemorySlowModeSlots() },
        { provide: Broker, useValue: broker },
      ],
    }).compile();
    await moduleRef.init();
    sut = moduleRef.get(ModerationService);
  }

  beforeEach(async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    await build();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('checks nothing, synchronously, in a room with nothing moderated', () => {
    expect(sut.checkSend(user('ada'), 'ops')).toBeUndefined();
    expect(() => sut.checkEntry('ada', 'ops')).not.toThrow();
  });

  it("bans from a room: refuses the user's join with the reason and until, and tells the user, their sockets and the room", async () => {
    const notice = await sut.ban(
      { userId: 'ada', room: 'ops', durationMs: 60_000, reason: 'spam' },
      mod,
    );

    const until = 1_060_000;
    expect(notice).toEqual({ action: 'ban', userId: 'ada', room: 'ops', until, reason: 'spam' });
    const error = await refusal(() => sut.checkEntry('ada', 'ops'));
    expect(error).toMatchObject({
      code: ChatErrorCode.Forbidden,
      message: 'banned from "ops": spam',
      details: { until, reason: 'spam' },
    });
    expect(broker.published).toEqual([
      {
        target: 'user',
        userIds: ['ada'],
        event: 'moderated',
        data: { action: 'banned', room: 'ops', until, reason: 'spam' },
      },
      {
        target: 'user',
        userIds: ['ada'],
        event: 'command',
        data: { command: 'leave', room: 'ops' },
      },
      { target: 'room', room: 'ops', event: 'moderation', data: notice },
    ]);
  });

  it('lets a timed ban end by itself', async () => {
    await sut.ban({ userId: 'ada', room: 'ops', durationMs: 1000 }, mod);

    vi.setSystemTime(1_001_000);

    expect(() => sut.checkEntry('ada', 'ops')).not.toThrow();
    expect(sut.roomReport('ops').bans).toEqual([]);
  });

  it('bans from the service: refuses the upgrade and disconnects every socket with the reason', async () => {
    await sut.ban({ userId: 'ada', reason: 'abuse' }, server);

    expect(sut.connectionRefusal('ada')).toBe('banned: abuse');
    expect(sut.connectionRefusal('bob')).toBeUndefined();
    expect(broker.published[1]).toEqual({
      target: 'user',
      userIds: ['ada'],
      event: 'command',
      data: { command: 'disconnect', reason: 'banned: abuse' },
    });
    expect(sut.userReport('ada').serviceBan).toMatchObject({
      by: 'server:system',
      reason: 'abuse',
    });
  });

  it('refuses a user who is not a moderator, and a room moderator acting on the service', async () => {
    const roomMod = { identity: user('rm', ['moderator:ops']) };

    expect(
      (await refusal(() => sut.ban({ userId: 'ada', room: 'ops' }, { identity: user('x') }))).code,
    ).toBe(ChatErrorCode.Forbidden);
    expect((await refusal(() => sut.ban({ userId: 'ada' }, roomMod))).code).toBe(
      ChatErrorCode.Forbidden,
    );
    await expect(sut.ban({ userId: 'ada', room: 'ops' }, roomMod)).resolves.toMatchObject({
      action: 'ban',
    });
  });

  it("refuses a muted user's messages with when the mute ends, until it is lifted", async () => {
    await sut.mute({ userId: 'ada', room: 'ops', durationMs: 30_000 }, mod);

    const error = await refusal(() => sut.checkSend(user('ada'), 'ops'));
    expect(error).toMatchObject({ code: ChatErrorCode.Forbidden, details: { until: 1_030_000 } });
    expect(sut.checkSend(user('bob'), 'ops')).toBeUndefined();

    await sut.unmute({ userId: 'ada', room: 'ops' }, mod);
    expect(sut.checkSend(user('ada'), 'ops')).toBeUndefined();
  });

  it('paces each user in slow mode with rate_limited and the wait, moderators exempt', async () => {
    await sut.setSlowMode({ room: 'ops', seconds: 10 }, mod);

    expect(sut.takeSendSlot(user('ada'), 'ops')).toBeUndefined();
    vi.setSystemTime(1_004_000);
    const error = await refusal(() => sut.takeSendSlot(user('ada'), 'ops'));
    expect(error).toMatchObject({
      code: ChatErrorCode.RateLimited,
      details: { retryAfterMs: 6000 },
    });
    expect(sut.takeSendSlot(mod.identity, 'ops')).toBeUndefined();
    expect(sut.takeSendSlot(mod.identity, 'ops')).toBeUndefined();
    expect(sut.roomReport('ops').slowModeSeconds).toBe(10);

    // The slot is slow mode's alone: the ban and mute check, run before validation, takes none.
    expect(sut.checkSend(user('bob'), 'ops')).toBeUndefined();
    expect(sut.takeSendSlot(user('bob'), 'ops')).toBeUndefined();

    await sut.setSlowMode({ room: 'ops', seconds: 0 }, mod);
    expect(sut.takeSendSlot(user('ada'), 'ops')).toBeUndefined();
  });

  it("applies a reload's bans to this node's sessions: the leave or disconnect lost with a notice still happens", async () => {
    const ban = { kind: 'ban', by: 'm', at: 0 } as const;
    await store.set({ ...ban, scope: SERVICE_SCOPE, userId: 'eve', reason: 'fraud' }, 100, 0);
    await store.set({ ...ban, scope: 'ops', userId: 'ada' }, 100, 0);
    await store.set({ kind: 'mute', scope: 'ops', userId: 'bob', by: 'm', at: 0 }, 100, 0);

    await notices.publish({ op: 'reload' });

    await vi.waitFor(() => expect(sessions.applied).toHaveLength(2));
    expect(sessions.applied).toEqual(
      expect.arrayContaining([
        ['eve', { command: 'disconnect', reason: 'banned: fraud' }],
        ['ada', { command: 'leave', room: 'ops' }],
      ]),
    );
  });

  it('applies a change another node made, as the notices bring it', async () => {
    await notices.publish({
      op: 'set',
      entry: { kind: 'mute', scope: 'ops', userId: 'ada', until: 2_000_000, by: 'm', at: 0 },
    });

    expect((await refusal(() => sut.checkSend(user('ada'), 'ops'))).code).toBe(
      ChatErrorCode.Forbidden,
    );
  });

  it('bounds the bans and mutes of a room, and the length of a reason', async () => {
    await build({ MODERATION_MAX_PER_ROOM: '1', MODERATION_MAX_REASON_LENGTH: '5' });
    await sut.ban({ userId: 'ada', room: 'ops' }, mod);

    const full = await refusal(() => sut.ban({ userId: 'bob', room: 'ops' }, mod));
    expect(full).toMatchObject({ code: ChatErrorCode.Forbidden, details: { maxPerRoom: 1 } });
    await expect(
      sut.ban({ userId: 'ada', room: 'ops', durationMs: 5 }, mod),
    ).resolves.toBeDefined();
    const long = await refusal(() =>
      sut.ban({ userId: 'ada', room: 'dev', reason: 'too long' }, mod),
    );
    expect(long.code).toBe(ChatErrorCode.ValidationFailed);
  });

  it('bounds the entries in force in total', async () => {
    await build({ MODERATION_MAX_ENTRIES: '1' });
    await sut.ban({ userId: 'ada', room: 'ops' }, mod);

    const full = await refusal(() => sut.mute({ userId: 'bob', room: 'dev', durationMs: 1 }, mod));
    expect(full).toMatchObject({ code: ChatErrorCode.Forbidden, details: { maxEntries: 1 } });
  });
});
