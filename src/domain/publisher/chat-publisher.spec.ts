import { Test } from '@nestjs/testing';
import { appConfig, parseEnvironment } from '../../config/app-config.js';
import { Broker, type Delivery } from '../../engine/broker.js';
import type { StoredSend } from '../../engine/message-store.js';
import { ChatErrorCode } from '../../protocol/chat-error-code.js';
import type { ChatMessage } from '../../protocol/chat.events.js';
import { ChatException } from '../chat.exception.js';
import { HistoryService } from '../history/history.service.js';
import { ChatService, type Sender } from '../messaging/chat.service.js';
import { RoomsService } from '../rooms/rooms.service.js';
import { ModerationService } from '../moderation/moderation.service.js';
import { ChatPublisher } from './chat-publisher.js';

/** Records what the publisher asks of the send path, and stores each call as the next message. */
class FakeChatService {
  readonly posts: Array<{ sender: Sender; where: string; text: string; clientMsgId?: string }> = [];
  private readonly byKey = new Map<string, StoredSend>();

  async postToRoom(sender: Sender, room: string, text: string, clientMsgId?: string) {
    return this.post({ sender, where: room, text, clientMsgId }, (id) => ({
      kind: 'room',
      duplicate: false,
      message: { id, room, from: sender.user, text: text.trim(), ts: 1 },
    }));
  }

  async postDirect(sender: Sender, to: string, text: string, clientMsgId?: string) {
    return this.post({ sender, where: to, text, clientMsgId }, (id) => ({
      kind: 'dm',
      duplicate: false,
      message: { id, to, from: sender.user, text: text.trim(), ts: 1 },
    }));
  }

  private post(call: FakeChatService['posts'][number], make: (id: string) => StoredSend) {
    this.posts.push(call);
    const key = call.clientMsgId && `${call.sender.user.id}|${call.clientMsgId}`;
    const earlier = key ? this.byKey.get(key) : undefined;
    if (earlier) return { ...earlier, duplicate: true };
    const stored = make(`m-${this.posts.length}`);
    if (key) this.byKey.set(key, stored);
    return stored;
  }
}

/** A broker that records every batch, or fails them all while `down`. */
class FakeBroker {
  readonly published: Delivery[] = [];
  down = false;

  async publish(batch: readonly Delivery[]): Promise<void> {
    if (this.down) throw new Error('ECONNREFUSED');
    this.published.push(...batch);
  }
}

async function refusal(promise: Promise<unknown>): Promise<ChatException> {
  const error = await promise.then(
    () => expect.fail('expected a refusal'),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ChatException);
  return error as ChatException;
}

describe('ChatPublisher', () => {
  let sut: ChatPublisher;
  let chat: FakeChatService;
  let broker: FakeBroker;
  const page: ChatMessage[] = [
    { id: 'm-1', room: 'ops', from: { id: 'a', name: 'A' }, text: 'x', ts: 1 },
  ];
  const history = { page: vi.fn(async () => page), conversationPage: vi.fn() };
  const rooms = { members: vi.fn(async () => ({ members: [{ id: 'a', name: 'A' }], count: 1 })) };
  const moderation = {
    ban: vi.fn(async () => ({ action: 'ban', userId: 'mallory', room: 'ops' })),
  };

  beforeEach(async () => {
    chat = new FakeChatService();
    broker = new FakeBroker();
    const moduleRef = await Test.createTestingModule({
      providers: [
        ChatPublisher,
        { provide: appConfig.KEY, useValue: parseEnvironment({ MAX_FRAME_BYTES: '256' }) },
        { provide: ChatService, useValue: chat },
        { provide: Broker, useValue: broker },
        { provide: RoomsService, useValue: rooms },
        { provide: HistoryService, useValue: history },
        { provide: ModerationService, useValue: moderation },
      ],
    }).compile();
    sut = moduleRef.get(ChatPublisher);
  });

  it('publishes as the configured default sender when the call names none', async () => {
    const published = await sut.publish('ops', 'deploy started');

    expect(published).toEqual({
      message: expect.objectContaining({
        room: 'ops',
        text: 'deploy started',
        from: { id: 'server:system', name: 'System' },
      }),
      duplicate: false,
    });
    expect(chat.posts[0].sender.id).toBeUndefined();
  });

  it('publishes as a server sender the call names', async () => {
    const published = await sut.publish('ops', 'build green', {
      from: { id: 'server:ci', name: 'CI' },
    });

    expect(published.message.from).toEqual({ id: 'server:ci', name: 'CI' });
  });

  it('refuses a real user as sender unless the call says it impersonates', async () => {
    const error = await refusal(sut.publish('ops', 'hi', { from: { id: 'alice', name: 'Alice' } }));

    expect(error.code).toBe(ChatErrorCode.ValidationFailed);
    expect(error.details).toEqual([
      { field: 'from.id', errors: [expect.stringContaining('impersonate')] },
    ]);
    expect(chat.posts).toHaveLength(0);
    const meant = await sut.publish('ops', 'hi', {
      from: { id: 'alice', name: 'Alice' },
      impersonate: true,
    });
    expect(meant.message.from).toEqual({ id: 'alice', name: 'Alice' });
  });

  it('stores an idempotency key as a clientMsgId no client can send (longer than 64)', async () => {
    await sut.publish('ops', 'once', { idempotencyKey: 'order-42' });

    const stored = chat.posts[0].clientMsgId!;
    expect(stored).toMatch(/^server:[0-9a-f]{64}$/);
    expect(stored.length).toBeGreaterThan(64);
  });

  it('returns the first message, marked duplicate, for a replayed idempotency key', async () => {
    const first = await sut.publish('ops', 'once', { idempotencyKey: 'order-42' });
    const replay = await sut.publish('ops', 'once', { idempotencyKey: 'order-42' });

    expect(replay).toEqual({ message: first.message, duplicate: true });
  });

  it('refuses a key first used for a DM when it comes back for a room message', async () => {
    await sut.dm('bob', 'hello', { idempotencyKey: 'k' });

    const error = await refusal(sut.publish('ops', 'hello', { idempotencyKey: 'k' }));

    expect(error.details).toEqual([
      { field: 'idempotencyKey', errors: [expect.stringContaining('dm')] },
    ]);
  });

  it.each([
    ['a room name the protocol refuses', () => sut.publish('no spaces', 'x'), 'room'],
    ['blank text', () => sut.publish('ops', '   '), 'text'],
    ['an empty DM recipient', () => sut.dm('', 'x'), 'to'],
    [
      'an idempotency key past 256 characters',
      () => sut.publish('ops', 'x', { idempotencyKey: 'k'.repeat(257) }),
      'idempotencyKey',
    ],
    ['a close reason past 123 bytes', () => sut.disconnect('bob', 'é'.repeat(62)), 'reason'],
    ['a history limit past 100', () => sut.roomHistory('ops', { limit: 101 }), 'limit'],
  ])('refuses %s with validation_failed naming the field', async (_case, call, field) => {
    const error = await refusal(call());

    expect(error.code).toBe(ChatErrorCode.ValidationFailed);
    expect(error.details).toEqual([{ field, errors: [expect.any(String)] }]);
  });

  it('serializes a custom event once into the frame the broker carries', async () => {
    await sut.emitToRoom('ops', 'deploy.status', { stage: 'canary' });

    expect(broker.published).toEqual([
      {
        target: 'room',
        room: 'ops',
        event: 'custom',
        data: { frame: '{"event":"deploy.status","data":{"stage":"canary"}}' },
      },
    ]);
  });

  it.each(['message', 'presence', 'error', 'join', 'ack', 'left'])(
    'refuses the custom event name "%s", one of the protocol\'s own',
    async (name) => {
      const error = await refusal(sut.emitToUser('bob', name, {}));

      expect(error.details).toEqual([
        { field: 'event', errors: [expect.stringContaining('protocol')] },
      ]);
      expect(broker.published).toHaveLength(0);
    },
  );

  it('refuses a custom event whose frame would pass MAX_FRAME_BYTES', async () => {
    const error = await refusal(sut.emitToUser('bob', 'big', { blob: 'x'.repeat(256) }));

    expect(error.details).toEqual([
      { field: 'data', errors: [expect.stringContaining('256 bytes')] },
    ]);
  });

  it('refuses custom event data that is not a JSON object', async () => {
    const error = await refusal(sut.emitToUser('bob', 'nudge', [1, 2]));

    expect(error.details).toEqual([{ field: 'data', errors: ['data must be a JSON object'] }]);
  });

  it('sends leave and disconnect as commands to the user on every node', async () => {
    await sut.leave('bob', 'ops');
    await sut.disconnect('bob', 'account closed');

    expect(broker.published).toEqual([
      {
        target: 'user',
        userIds: ['bob'],
        event: 'command',
        data: { command: 'leave', room: 'ops' },
      },
      {
        target: 'user',
        userIds: ['bob'],
        event: 'command',
        data: { command: 'disconnect', reason: 'account closed' },
      },
    ]);
  });

  it('answers unavailable when the broker cannot be reached', async () => {
    broker.down = true;

    const error = await refusal(sut.disconnect('bob'));

    expect(error.code).toBe(ChatErrorCode.Unavailable);
  });

  it('reads presence and history through the rooms and history services', async () => {
    expect(await sut.members('ops')).toEqual({ members: [{ id: 'a', name: 'A' }], count: 1 });
    expect(await sut.roomHistory('ops', { limit: 10 })).toBe(page);
    expect(history.page).toHaveBeenCalledWith('ops', undefined, 10);
  });

  it('bans as the configured default sender, a server actor the moderation service does not check', async () => {
    const notice = await sut.ban('mallory', { room: 'ops', reason: 'spam' });

    expect(notice).toEqual({ action: 'ban', userId: 'mallory', room: 'ops' });
    expect(moderation.ban).toHaveBeenCalledWith(
      { userId: 'mallory', room: 'ops', durationMs: undefined, reason: 'spam' },
      { server: 'server:system' },
    );
  });

  it('refuses a moderation call whose `by` is not a user id', async () => {
    const error = await refusal(sut.ban('mallory', { by: '' }));

    expect(error.code).toBe(ChatErrorCode.ValidationFailed);
  });
});
