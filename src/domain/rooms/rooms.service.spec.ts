import { Test } from '@nestjs/testing';
import { HistoryService } from '../history/history.service.js';
import { appConfig, parseEnvironment } from '../../config/app-config.js';
import { Broker } from '../../engine/broker.js';
import { MemoryPresenceStore } from '../../engine/memory/memory-presence-store.js';
import { ConversationStore } from '../../engine/conversation-store.js';
import { PresenceStore } from '../../engine/presence-store.js';
import { SessionDirectory } from '../session.js';
import { RoomsService } from './rooms.service.js';

describe('RoomsService.members', () => {
  async function build(env: Record<string, string> = {}) {
    const moduleRef = await Test.createTestingModule({
      providers: [
        RoomsService,
        { provide: SessionDirectory, useValue: {} },
        { provide: appConfig.KEY, useValue: parseEnvironment(env) },
        { provide: PresenceStore, useClass: MemoryPresenceStore },
        { provide: Broker, useValue: {} },
        { provide: HistoryService, useValue: {} },
        { provide: ConversationStore, useValue: null },
      ],
    }).compile();
    return { sut: moduleRef.get(RoomsService), presence: moduleRef.get(PresenceStore) };
  }

  it('lists each user once however many sockets they have in the room', async () => {
    const { sut, presence } = await build();
    await presence.join('ops', { id: 'ann', name: 'Ann' }, 'n.1');
    await presence.join('ops', { id: 'ann', name: 'Ann' }, 'n.2');
    await presence.join('ops', { id: 'bo', name: 'Bo' }, 'n.3');

    const result = await sut.members('ops');

    expect(result.count).toBe(2);
    expect(result.members.map((user) => user.id).sort()).toEqual(['ann', 'bo']);
  });

  it('gives only the count for a room above PRESENCE_MAX_MEMBERS', async () => {
    const { sut, presence } = await build({ PRESENCE_MAX_MEMBERS: '1' });
    await presence.join('big', { id: 'ann', name: 'Ann' }, 'n.1');
    await presence.join('big', { id: 'bo', name: 'Bo' }, 'n.2');

    expect(await sut.members('big')).toEqual({ members: [], count: 2 });
  });
});
