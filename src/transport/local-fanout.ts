import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Broker, type Delivery } from '../engine/broker.js';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { ConnectionRegistry } from './connection-registry.js';
import type { ChatConnection } from './chat-connection.js';
import { prepareFrame, type PreparedFrame } from './prepared-frame.js';

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
    for (const delivery of batch) {
      this.metrics.messagesOut.inc({ event: delivery.event });
      if (delivery.target === 'room') {
        if (delivery.id !== undefined) this.registry.recordMessage(delivery.room, delivery.id);
        const members = this.registry.inRoom(delivery.room);
        if (!members || !hasRecipient(members, delivery.exclude)) continue;
        const frame = this.prepare(delivery);
        for (const connection of members) {
          if (connection.id === delivery.exclude) continue;
          if (connection.sendRoomFrame(delivery.room, delivery.id, frame)) delivered += 1;
        }
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
    // Counted once per batch: a metric update per recipient would cost more than the write it counts.
    if (delivered > 0) this.metrics.deliveries.inc(delivered);
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
