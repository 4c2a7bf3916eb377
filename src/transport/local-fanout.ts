import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Broker, type Delivery } from '../engine/broker.js';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { ConnectionRegistry } from './connection-registry.js';
import { prepareFrame } from './prepared-frame.js';

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
      const frame = prepareFrame(
        Buffer.from(JSON.stringify({ event: delivery.event, data: delivery.data })),
      );
      this.metrics.messagesOut.inc({ event: delivery.event });
      if (delivery.target === 'room') {
        if (delivery.id !== undefined) this.registry.recordMessage(delivery.room, delivery.id);
        for (const connection of this.registry.inRoom(delivery.room) ?? []) {
          if (connection.id === delivery.exclude) continue;
          if (connection.sendRoomFrame(delivery.room, delivery.id, frame)) delivered += 1;
        }
        continue;
      }
      for (const userId of new Set(delivery.userIds)) {
        for (const connection of this.registry.ofUser(userId) ?? []) {
          if (connection.id !== delivery.exclude && connection.sendPrepared(frame)) delivered += 1;
        }
      }
    }
    // Counted once per batch: a metric update per recipient would cost more than the write it counts.
    if (delivered > 0) this.metrics.deliveries.inc(delivered);
  }
}
