import { Test } from '@nestjs/testing';
import type { ChatMessage, User } from '../protocol/chat.events.js';
import { Broker } from '../engine/broker.js';
import { MemoryBroker } from '../engine/memory/memory-broker.js';
import { ChatMetrics } from '../observability/chat-metrics.js';
import type { ChatConnection } from './chat-connection.js';
import { RoomHeads } from '../cache/room-heads.js';
import { ConnectionRegistry } from './connection-registry.js';
import { LocalFanout } from './local-fanout.js';
import type { FrameRun, PreparedFrame } from './prepared-frame.js';

/** Stands in for a `ChatConnection`: records every frame written to it. */
class FakeConnection {
  readonly rooms = new Set<string>();
  /** Payloads of the frames written with `sendPrepared` or `sendRoomFrame`, in order. */
  readonly frames: Buffer[] = [];
  /** The same frames as written to the wire, header included. */
  readonly wires: Buffer[] = [];
  /** Runs written in one piece with `sendRoomRun`. */
  readonly runs: Buffer[] = [];
  /** The room and message id each room frame was written with. */
  readonly roomFrames: Array<{ room: string; id: string | undefined }> = [];

  constructor(
    readonly id: string,
    readonly user: User,
  ) {}

  sendPrepared(frame: PreparedFrame): boolean {
    this.frames.push(frame.payload);
    this.wires.push(frame.wire);
    return true;
  }

  sendRoomRun(room: string, run: FrameRun): number {
    this.runs.push(run.wire);
    run.frames.forEach((frame, i) => {
      this.roomFrames.push({ room, id: run.ids[i] });
      this.frames.push(frame.payload);
    });
    return run.frames.length;
  }

  sendRoomFrame(room: string, id: string | undefined, frame: PreparedFrame): boolean {
    this.roomFrames.push({ room, id });
    return this.sendPrepared(frame);
  }
}

const alice: User = { id: 'u-alice', name: 'alice' };
const bob: User = { id: 'u-bob', name: 'bob' };
const carol: User = { id: 'u-carol', name: 'carol' };

function messageIn(room: string, text: string, id = 'e-1'): ChatMessage {
  return { id, room, from: alice, text, ts: 1 };
}

describe('LocalFanout', () => {
  let broker: Broker;
  let registry: ConnectionRegistry;
  let metrics: ChatMetrics;
  let sut: LocalFanout;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [
        LocalFanout,
        ConnectionRegistry,
        RoomHeads,
        ChatMetrics,
        { provide: Broker, useClass: MemoryBroker },
      ],
    }).compile();
    await moduleRef.init();
    broker = moduleRef.get(Broker);
    registry = moduleRef.get(ConnectionRegistry);
    metrics = moduleRef.get(ChatMetrics);
    sut = moduleRef.get(LocalFanout);
  });

  function connect(id: string, user: User, ...rooms: string[]): FakeConnection {
    const connection = new FakeConnection(id, user);
    registry.add(connection as unknown as ChatConnection);
    for (const room of rooms) {
      connection.rooms.add(room);
      registry.addToRoom(room, connection as unknown as ChatConnection);
    }
    return connection;
  }

  async function messagesOut(event: string): Promise<number> {
    const { values } = await metrics.messagesOut.counter.get();
    return values.find((value) => value.labels.event === event)?.value ?? 0;
  }

  it('listens to the broker once the module is initialized', async () => {
    const bobInLobby = connect('c2', bob, 'lobby');

    await broker.publish([
      { target: 'room', room: 'lobby', event: 'message', data: messageIn('lobby', 'hi') },
    ]);

    expect(bobInLobby.frames).toHaveLength(1);
  });

  it('serializes a room delivery once: every recipient gets the very same Buffer', () => {
    const recipients = [
      connect('c2', bob, 'lobby'),
      connect('c3', carol, 'lobby'),
      connect('c4', carol, 'lobby'),
    ];

    sut.deliver([
      { target: 'room', room: 'lobby', event: 'message', data: messageIn('lobby', 'hi') },
    ]);

    const [first] = recipients[0].frames;
    expect(first).toBeInstanceOf(Buffer);
    for (const recipient of recipients) {
      expect(recipient.frames).toHaveLength(1);
      expect(recipient.frames[0]).toBe(first);
      expect(recipient.wires[0]).toBe(recipients[0].wires[0]);
    }
  });

  it('writes the event and its data as one JSON envelope', () => {
    const bobInLobby = connect('c2', bob, 'lobby');
    const message = messageIn('lobby', 'hi');

    sut.deliver([{ target: 'room', room: 'lobby', event: 'message', data: message }]);

    expect(JSON.parse(bobInLobby.frames[0].toString())).toEqual({
      event: 'message',
      data: message,
    });
  });

  it("gives the excluded connection nothing, and its user's other sockets the frame", () => {
    const sender = connect('c1', alice, 'lobby');
    const sendersPhone = connect('c2', alice, 'lobby');

    sut.deliver([
      {
        target: 'room',
        room: 'lobby',
        event: 'message',
        data: messageIn('lobby', 'hi'),
        exclude: 'c1',
      },
    ]);

    expect(sender.frames).toEqual([]);
    expect(sendersPhone.frames).toHaveLength(1);
  });

  it('writes nothing to connections outside the room', () => {
    const elsewhere = connect('c2', bob, 'other');

    sut.deliver([
      { target: 'room', room: 'lobby', event: 'message', data: messageIn('lobby', 'hi') },
    ]);

    expect(elsewhere.frames).toEqual([]);
  });

  it('passes the room and message id along, so that a joining socket can order it against history', () => {
    const bobInLobby = connect('c2', bob, 'lobby');

    sut.deliver([
      {
        target: 'room',
        room: 'lobby',
        event: 'message',
        data: messageIn('lobby', 'hi', 'e-7'),
        id: 'e-7',
      },
    ]);

    expect(bobInLobby.roomFrames).toEqual([{ room: 'lobby', id: 'e-7' }]);
  });

  it('serializes a direct message once: every socket of both users gets the very same Buffer', () => {
    const sender = connect('c1', alice);
    const sendersPhone = connect('c2', alice);
    const bobsLaptop = connect('c3', bob);
    const bobsPhone = connect('c4', bob);

    sut.deliver([
      {
        target: 'user',
        userIds: ['u-bob', 'u-alice'],
        event: 'dm',
        data: { id: 'd-1', from: alice, to: 'u-bob', text: 'psst', ts: 1 },
        exclude: 'c1',
      },
    ]);

    expect(sender.frames).toEqual([]);
    const [first] = bobsLaptop.frames;
    for (const recipient of [sendersPhone, bobsLaptop, bobsPhone]) {
      expect(recipient.frames).toHaveLength(1);
      expect(recipient.frames[0]).toBe(first);
    }
  });

  it('writes a direct message once to a user listed twice (a note to self)', () => {
    const alicesPhone = connect('c2', alice);

    sut.deliver([
      {
        target: 'user',
        userIds: ['u-alice', 'u-alice'],
        event: 'dm',
        data: { id: 'd-1', from: alice, to: 'u-alice', text: 'note', ts: 1 },
        exclude: 'c1',
      },
    ]);

    expect(alicesPhone.frames).toHaveLength(1);
  });

  it('writes the deliveries of a batch in order, each serialized on its own', () => {
    const bobInLobby = connect('c2', bob, 'lobby');

    sut.deliver([
      { target: 'room', room: 'lobby', event: 'message', data: messageIn('lobby', 'one', 'e-1') },
      { target: 'room', room: 'lobby', event: 'message', data: messageIn('lobby', 'two', 'e-2') },
    ]);

    expect(bobInLobby.frames.map((frame) => JSON.parse(frame.toString()).data.text)).toEqual([
      'one',
      'two',
    ]);
  });

  it("writes a room's deliveries of one batch to each member as one run, joined once", () => {
    const bobInLobby = connect('c2', bob, 'lobby');
    const carolInLobby = connect('c3', carol, 'lobby');

    sut.deliver(
      ['one', 'two'].map((text, i) => ({
        target: 'room' as const,
        room: 'lobby',
        event: 'message' as const,
        data: messageIn('lobby', text, `e-${i + 1}`),
        id: `e-${i + 1}`,
      })),
    );

    expect(bobInLobby.runs).toHaveLength(1);
    expect(carolInLobby.runs[0]).toBe(bobInLobby.runs[0]);
    expect(bobInLobby.roomFrames.map((frame) => frame.id)).toEqual(['e-1', 'e-2']);
  });

  it('writes a sender only the other messages of the run, one by one', () => {
    const sender = connect('c1', alice, 'lobby');
    connect('c2', bob, 'lobby');

    sut.deliver([
      {
        target: 'room',
        room: 'lobby',
        event: 'message',
        data: messageIn('lobby', 'mine', 'e-1'),
        id: 'e-1',
        exclude: 'c1',
      },
      {
        target: 'room',
        room: 'lobby',
        event: 'message',
        data: messageIn('lobby', 'theirs', 'e-2'),
        id: 'e-2',
        exclude: 'c2',
      },
    ]);

    expect(sender.runs).toEqual([]);
    expect(sender.frames.map((frame) => JSON.parse(frame.toString()).data.text)).toEqual([
      'theirs',
    ]);
  });

  it('counts one outbound message per delivery, however many recipients', async () => {
    connect('c2', bob, 'lobby');
    connect('c3', carol, 'lobby');

    sut.deliver([
      { target: 'room', room: 'lobby', event: 'message', data: messageIn('lobby', 'hi') },
    ]);

    expect(await messagesOut('message')).toBe(1);
  });
});
