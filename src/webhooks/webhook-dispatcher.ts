import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/app-config.js';
import { ChatObserver } from '../domain/chat-observer.js';
import type { ChatMessage, User } from '../protocol/chat.events.js';
import { roomMatcher } from './room-patterns.js';
import type { WebhookEvent, WebhookEventType } from './webhook-event.js';
import type { WebhookLane } from './webhook-lane.js';

/**
 * Turns what the domain observes into webhook events for every lane (one per URL), keeping only the
 * configured types. A member's leave (and the room's vacating, if it was the last) waits
 * WEBHOOK_PRESENCE_DEBOUNCE_MS: a join of the same user (or, for the room, of anyone) within it withdraws
 * it and sends nothing, so a quick reconnect is silent.
 */
export class WebhookDispatcher extends ChatObserver {
  readonly observesMessages: boolean;
  private readonly types: ReadonlySet<WebhookEventType>;
  private readonly messageRooms: (room: string) => boolean;

  constructor(
    private readonly config: AppConfig,
    private readonly lanes: readonly WebhookLane[],
  ) {
    super();
    this.types = new Set(config.WEBHOOK_EVENTS.split(',').filter(Boolean) as WebhookEventType[]);
    this.messageRooms = roomMatcher(config.WEBHOOK_MESSAGE_ROOMS);
    this.observesMessages =
      this.types.has('message.created') && config.WEBHOOK_MESSAGE_ROOMS !== '';
  }

  memberJoined(room: string, user: User, occupied: boolean): void {
    const ts = Date.now();
    for (const lane of this.lanes) {
      if (occupied && this.types.has('room.occupied'))
        lane.sendUnlessWithdrawn(roomKey(room), {
          id: randomUUID(),
          type: 'room.occupied',
          ts,
          room,
        });
      if (this.types.has('member.joined'))
        lane.sendUnlessWithdrawn(memberKey(room, user), {
          id: randomUUID(),
          type: 'member.joined',
          ts,
          room,
          user,
        });
    }
  }

  memberLeft(room: string, user: User, vacated: boolean): void {
    const ts = Date.now();
    const delay = this.config.WEBHOOK_PRESENCE_DEBOUNCE_MS;
    for (const lane of this.lanes) {
      if (this.types.has('member.left'))
        lane.sendLater(
          memberKey(room, user),
          { id: randomUUID(), type: 'member.left', ts, room, user },
          delay,
        );
      if (vacated && this.types.has('room.vacated'))
        lane.sendLater(roomKey(room), { id: randomUUID(), type: 'room.vacated', ts, room }, delay);
    }
  }

  messageCreated(message: ChatMessage): void {
    if (!this.messageRooms(message.room)) return;
    const event: WebhookEvent = {
      id: randomUUID(),
      type: 'message.created',
      ts: message.ts,
      room: message.room,
      message,
    };
    for (const lane of this.lanes) lane.send(event);
  }
}

/** The debounce key of a member's presence in a room (lengths first: names may contain any separator). */
function memberKey(room: string, user: User): string {
  return `member:${room.length}:${room}:${user.id}`;
}

/** The debounce key of a room's occupancy. */
function roomKey(room: string): string {
  return `room:${room}`;
}
