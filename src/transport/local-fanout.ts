import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Broker, type Delivery, type RoomDelivery } from '../engine/broker.js';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { ConnectionRegistry } from './connection-registry.js';
import type { ChatConnection } from './chat-connection.js';
import { prepareFrame, prepareRun, type PreparedFrame } from './prepared-frame.js';

/** Writes each delivery the broker hands this node to the local sockets it is for, serialized once. */
@Injectable()
export class LocalFanout implements OnModuleInit {
  constructor(
    private readonly broker: Broker,
    private readonly registry: ConnectionRegistry,
    private readonly metrics: ChatMetrics,
  ) {}

  onModuleInit(): void {
    this.broker.listen((batch) => this.deliver(batch));
  }

  /** Fans a batch out to this node's sockets. */
  deliver(batch: readonly Delivery[]): void {
    let delivered = 0;
    const byRoom = new Map<string, RoomDelivery[]>();
    for (const delivery of batch) {
      this.metrics.messagesOut.inc({ event: delivery.event });
      if (delivery.target === 'room') {
        const list = byRoom.get(delivery.room);
        if (list) list.push(delivery);
        else byRoom.set(delivery.room, [delivery]);
        continue;
      }
      let frame: PreparedFrame | undefined;
      for (const userId of new Set(delivery.userIds)) {
        for (const connection of this.registry.ofUser(userId) ?? []) {
          if (connection.id === delivery.exclude) continue;
          frame ??= this.prepare(delivery);
          if (connection.sendPrepared(frame)) delivered += 1;
        }
      }
    }
    for (const [room, list] of byRoom) delivered += this.deliverToRoom(room, list);
    // Counted once per batch: a metric update per recipient would cost more than the write it counts.
    if (delivered > 0) this.metrics.deliveries.inc(delivered);
  }

  /**
   * A room's deliveries of one batch, in order. Members that take all of them get them as one run,
   * concatenated once: one write per socket per batch, however many messages the batch holds.
   */
  private deliverToRoom(room: string, list: RoomDelivery[]): number {
    for (const delivery of list) {
      if (delivery.id !== undefined) this.registry.recordMessage(room, delivery.id);
    }
    const members = this.registry.inRoom(room);
    if (!members) return 0;
    const excluded = new Set(list.map((delivery) => delivery.exclude));
    if (list.length === 1 && !hasRecipient(members, list[0].exclude)) return 0;
    const frames = list.map((delivery) => this.prepare(delivery));
    const run =
      list.length > 1
        ? prepareRun(
            frames,
            list.map((d) => d.id),
          )
        : undefined;
    let delivered = 0;
    for (const connection of members) {
      if (run && !excluded.has(connection.id)) {
        delivered += connection.sendRoomRun(room, run);
        continue;
      }
      list.forEach((delivery, i) => {
        if (delivery.exclude === connection.id) return;
        if (connection.sendRoomFrame(room, delivery.id, frames[i])) delivered += 1;
      });
    }
    return delivered;
  }

  private prepare(delivery: Delivery): PreparedFrame {
    return prepareFrame(
      Buffer.from(JSON.stringify({ event: delivery.event, data: delivery.data })),
    );
  }
}

/** Whether anyone but the excluded connection is in the room: if not, nothing is serialized. */
function hasRecipient(members: ReadonlySet<ChatConnection>, exclude: string | undefined): boolean {
  if (members.size > 1) return true;
  for (const member of members) if (member.id !== exclude) return true;
  return false;
}
