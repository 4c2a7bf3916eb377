import { Test } from '@nestjs/testing';
import { CloseCode } from '../../protocol/close-code.js';
import type { User } from '../../protocol/chat.events.js';
import { RoomsService } from '../rooms/rooms.service.js';
import { SessionDirectory } from '../session.js';
import { UserCommandsService } from './user-commands.service.js';

/** A session that records what it was sent and how it was closed. */
class FakeSession {
  readonly sent: string[] = [];
  closed: { code: CloseCode; reason: string } | undefined;

  constructor(
    readonly id: string,
    readonly user: User,
    readonly rooms: Set<string>,
  ) {}

  send(frame: string): boolean {
    this.sent.push(frame);
    return true;
  }

  close(code: CloseCode, reason: string): void {
    this.closed = { code, reason };
  }
}

describe('UserCommandsService', () => {
  const bob: User = { id: 'bob', name: 'Bob' };
  let sut: UserCommandsService;
  let sessions: FakeSession[];
  let leaves: Array<{ session: string; room: string }>;

  beforeEach(async () => {
    sessions = [
      new FakeSession('n.1', bob, new Set(['ops', 'lobby'])),
      new FakeSession('n.2', bob, new Set(['lobby'])),
    ];
    leaves = [];
    const moduleRef = await Test.createTestingModule({
      providers: [
        UserCommandsService,
        {
          provide: SessionDirectory,
          useValue: { ofUser: (id: string) => sessions.filter((s) => s.user.id === id) },
        },
        {
          provide: RoomsService,
          useValue: {
            leave: async (session: FakeSession, room: string) => {
              session.rooms.delete(room);
              leaves.push({ session: session.id, room });
            },
          },
        },
      ],
    }).compile();
    sut = moduleRef.get(UserCommandsService);
  });

  it('closes every local socket of the user with 4003 and the reason', () => {
    sut.apply('bob', { command: 'disconnect', reason: 'banned' });

    expect(sessions.map((s) => s.closed)).toEqual([
      { code: CloseCode.ServerDisconnect, reason: 'banned' },
      { code: CloseCode.ServerDisconnect, reason: 'banned' },
    ]);
  });

  it('takes only the sockets in the room out of it, each told with an unsolicited left', () => {
    sut.apply('bob', { command: 'leave', room: 'ops' });

    expect(leaves).toEqual([{ session: 'n.1', room: 'ops' }]);
    expect(sessions[0].sent).toEqual(['{"event":"left","data":{"room":"ops"}}']);
    expect(sessions[1].sent).toEqual([]);
  });

  it('does nothing for a user with no socket on this node', () => {
    sut.apply('carol', { command: 'disconnect', reason: 'banned' });

    expect(sessions.every((s) => s.closed === undefined)).toBe(true);
  });
});
