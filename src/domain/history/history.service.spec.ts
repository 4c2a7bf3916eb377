import type { RecentHistoryCache } from '../../cache/recent-history.cache.js';
import { parseEnvironment } from '../../config/app-config.js';
import { MessageStore, type Recovery, type RecoveryLimits } from '../../engine/message-store.js';
import type { ChatMessage, MessageChange } from '../../protocol/chat.events.js';
import { HISTORY_PAGE, HistoryService } from './history.service.js';

/** A store that answers every read with the messages it was given, and records the recovery limits asked for. */
class FixedStore extends MessageStore {
  async earlierSend(): Promise<undefined> {
    return undefined;
  }
  readonly limitsAsked: RecoveryLimits[] = [];
  constructor(
    private readonly messages: ChatMessage[],
    private readonly recovered = true,
  ) {
    super();
  }
  append(): never {
    throw new Error('not used');
  }
  async latest(): Promise<ChatMessage[]> {
    return this.messages;
  }
  async after(_room: string, _since: string, limits: RecoveryLimits): Promise<Recovery> {
    this.limitsAsked.push(limits);
    return { messages: this.messages, recovered: this.recovered };
  }
  async before(): Promise<ChatMessage[]> {
    return this.messages;
  }
  async between(): Promise<ChatMessage[]> {
    return this.messages;
  }
  isAfter(): boolean {
    return true;
  }
  async isReady(): Promise<boolean> {
    return true;
  }
}

/** A store that keeps changes: its recoveries carry the given `changes`. */
class ChangingStore extends FixedStore {
  constructor(
    messages: ChatMessage[],
    private readonly changes: MessageChange[],
  ) {
    super(messages);
  }
  override async after(room: string, since: string, limits: RecoveryLimits): Promise<Recovery> {
    return { ...(await super.after(room, since, limits)), changes: this.changes };
  }
}

/** A change whose JSON, as one element of the `changes` array, is `bytes` bytes. */
function changeOf(bytes: number): MessageChange {
  const change: MessageChange = { id: 'e-000000000001', action: 'edited', text: '', at: 0 };
  change.text = 'y'.repeat(bytes - Buffer.byteLength(JSON.stringify([change])));
  return change;
}

/** Passes every read through, as the cache does when disabled. */
const noCache = { latest: (_room, load) => load() } as RecentHistoryCache;

/** `count` messages whose JSON is exactly `bytes` bytes each, oldest first. */
function messagesOf(count: number, bytes: number): ChatMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const message: ChatMessage = {
      id: `e-${String(i).padStart(12, '0')}`,
      room: 'lobby',
      from: { id: 'u', name: 'u' },
      text: '',
      ts: 0,
    };
    message.text = 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(message)));
    return message;
  });
}

function historyWith(
  store: MessageStore,
  env: Record<string, string> = {},
  recent: RecentHistoryCache = noCache,
): HistoryService {
  return new HistoryService(parseEnvironment(env), store, recent, null);
}

describe('HistoryService', () => {
  it('asks the store for at most RECOVERY_MAX_MESSAGES, falling back to a page of HISTORY_PAGE', async () => {
    const store = new FixedStore([]);

    await historyWith(store, { RECOVERY_MAX_MESSAGES: '300' }).snapshot('lobby', 'e-1');

    expect(store.limitsAsked).toEqual([{ max: 300, fallback: HISTORY_PAGE }]);
  });

  it('returns a recovery that fits REPLY_MAX_BYTES whole, recovered', async () => {
    const messages = messagesOf(10, 1000);

    const recovery = await historyWith(new FixedStore(messages), {
      REPLY_MAX_BYTES: String(10 * 1001),
    }).snapshot('lobby', 'e-1');

    expect(recovery).toEqual({ messages, recovered: true });
  });

  it('leaves the oldest messages out of a recovery past REPLY_MAX_BYTES, and says it is not recovered', async () => {
    const messages = messagesOf(10, 1000);

    const recovery = await historyWith(new FixedStore(messages), {
      REPLY_MAX_BYTES: String(10 * 1001 - 1),
    }).snapshot('lobby', 'e-1');

    expect(recovery).toEqual({ messages: messages.slice(1), recovered: false });
  });

  it('passes a recovery’s changes through beside its messages when both fit REPLY_MAX_BYTES', async () => {
    const messages = messagesOf(4, 1000);
    const changes = [changeOf(500)];

    const recovery = await historyWith(new ChangingStore(messages, changes), {
      REPLY_MAX_BYTES: String(4 * 1001 + 500),
    }).snapshot('lobby', 'e-1');

    expect(recovery).toEqual({ messages, recovered: true, changes });
  });

  it('counts the changes’ bytes first: the oldest messages past what is left go, not recovered', async () => {
    const messages = messagesOf(4, 1000);
    const changes = [changeOf(500)];

    const recovery = await historyWith(new ChangingStore(messages, changes), {
      REPLY_MAX_BYTES: String(4 * 1001 + 499),
    }).snapshot('lobby', 'e-1');

    expect(recovery).toEqual({ messages: messages.slice(1), recovered: false, changes });
  });

  it('sends no changes and says not recovered when the changes alone pass REPLY_MAX_BYTES', async () => {
    const messages = messagesOf(2, 1000);

    const recovery = await historyWith(new ChangingStore(messages, [changeOf(5000)]), {
      REPLY_MAX_BYTES: '4999',
    }).snapshot('lobby', 'e-1');

    expect(recovery).toEqual({ messages, recovered: false, changes: [] });
  });

  it('caps the latest page shown on a join without `since` to REPLY_MAX_BYTES', async () => {
    const messages = messagesOf(10, 1000);

    const snapshot = await historyWith(new FixedStore(messages), {
      REPLY_MAX_BYTES: '3500',
    }).snapshot('lobby');

    expect(snapshot).toEqual({ messages: messages.slice(7), recovered: false });
  });

  it('caches the latest page as capped, so that a join served from the cache measures nothing again', async () => {
    const messages = messagesOf(10, 1000);
    let cached: ChatMessage[] | undefined;
    /** Loads once, then serves what it loaded, as the cache does while the room's head stays put. */
    const onceCache = {
      latest: async (_room, load) => (cached ??= await load()),
    } as RecentHistoryCache;
    const history = historyWith(new FixedStore(messages), { REPLY_MAX_BYTES: '3500' }, onceCache);
    const first = await history.snapshot('lobby');
    const stringify = vi.spyOn(JSON, 'stringify');

    const second = await history.snapshot('lobby');

    expect(stringify).not.toHaveBeenCalled();
    stringify.mockRestore();
    expect(first).toEqual({ messages: messages.slice(7), recovered: false });
    expect(second.messages).toBe(first.messages);
  });

  it('caps a history page to REPLY_MAX_BYTES, keeping the newest', async () => {
    const messages = messagesOf(10, 1000);
    const history = historyWith(new FixedStore(messages), { REPLY_MAX_BYTES: '2500' });

    expect(await history.page('lobby', undefined)).toEqual(messages.slice(8));
    expect(await history.page('lobby', 'e-9')).toEqual(messages.slice(8));
  });

  it('keeps the newest message even when it alone is larger than REPLY_MAX_BYTES', async () => {
    const messages = messagesOf(3, 5000);

    const page = await historyWith(new FixedStore(messages), { REPLY_MAX_BYTES: '1024' }).page(
      'lobby',
      undefined,
    );

    expect(page).toEqual(messages.slice(2));
  });
});
