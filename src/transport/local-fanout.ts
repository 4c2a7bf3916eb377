import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  Broker,
  type CustomFrame,
  type Delivery,
  type RoomDelivery,
  type UserCommand,
  type UserDelivery,
} from '../engine/broker.js';
import { SessionCommands } from '../domain/session.js';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { RoomHeads } from '../cache/room-heads.js';
import { ConnectionRegistry } from './connection-registry.js';
import type { ChatConnection } from './chat-connection.js';
import { prepareFrame, prepareRun, type PreparedFrame } from './prepared-frame.js';

/** Writes each delivery the broker hands this node to the local sockets it is for, serialized once. */
@Injectable()
export class LocalFanout implements OnModuleInit {
  private readonly logger = new Logger(LocalFanout.name);
  /** The domain's handler of user commands (leave, disconnect); absent in an app without the domain. */
  private commands: SessionCommands | undefined;

  constructor(
    private readonly broker: Broker,
    private readonly registry: ConnectionRegistry,
    private readonly metrics: ChatMetrics,
    private readonly heads: RoomHeads,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    // Looked up, not injected: the domain module is not global, and importing it here would make the
    // transport module (global, which the domain relies on) depend on it in turn.
    try {
      this.commands = this.moduleRef.get(SessionCommands, { strict: false });
    } catch {
      this.commands = undefined;
    }
    this.broker.listen((batch) => this.deliver(batch));
  }

  /** Fans a batch out to this node's sockets. */
  deliver(batch: readonly Delivery[]): void {
    let delivered = 0;
    const byRoom = new Map<string, RoomDelivery[]>();
    for (const delivery of batch) {
      if (delivery.event === 'command') {
        this.command((delivery as UserDelivery).userIds, delivery.data as UserCommand);
        continue;
      }
      this.metrics.messagesOut.inc(delivery.event);
      if (delivery.target === 'room') {
        const list = byRoom.get(delivery.room);
        if (list) list.push(delivery);
        else byRoom.set(delivery.room, [delivery]);
        continue;
      }
      let frame: PreparedFrame | undefined;
      for (const userId of new Set(delivery.userIds)) {
        for (const connection of this.registry.ofUser(userId)) {
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
      if (delivery.id !== undefined) this.heads.recordMessage(room, delivery.id);
    }
    const members = this.registry.inRoom(room);
    if (!members) return 0;
    if (list.length === 1) return this.deliverOne(room, members, list[0]);
    const excluded = new Set(list.map((delivery) => delivery.exclude));
    const excludedUsers = new Set(list.map((delivery) => delivery.excludeUser));
    const frames = list.map((delivery) => this.prepare(delivery));
    const run = prepareRun(
      frames,
      list.map((d) => d.id),
    );
    let delivered = 0;
    for (const connection of members) {
      if (!excluded.has(connection.id) && !excludedUsers.has(connection.user.id)) {
        delivered += connection.sendRoomRun(room, run);
        continue;
      }
      for (let i = 0; i < list.length; i += 1) {
        if (skips(list[i], connection)) continue;
        if (connection.sendRoomFrame(room, list[i].id, frames[i])) delivered += 1;
      }
    }
    return delivered;
  }

  /** The common case of small rooms: one delivery, serialized only if someone but its sender is here. */
  private deliverOne(
    room: string,
    members: ReadonlySet<ChatConnection>,
    delivery: RoomDelivery,
  ): number {
    if (!hasRecipient(members, delivery.exclude)) return 0;
    let frame: PreparedFrame | undefined;
    let delivered = 0;
    for (const connection of members) {
      if (skips(delivery, connection)) continue;
      frame ??= this.prepare(delivery);
      if (connection.sendRoomFrame(room, delivery.id, frame)) delivered += 1;
    }
    return delivered;
  }

  private prepare(delivery: Delivery): PreparedFrame {
    // A custom event comes serialized by the publisher: its payload is never stringified again.
    const json =
      delivery.event === 'custom'
        ? (delivery.data as CustomFrame).frame
        : JSON.stringify({ event: delivery.event, data: delivery.data });
    return prepareFrame(Buffer.from(json));
  }

  private command(userIds: readonly string[], command: UserCommand): void {
    if (!this.commands) return;
    for (const userId of new Set(userIds)) {
      try {
        this.commands.apply(userId, command);
      } catch (error) {
        this.logger.error(error);
      }
    }
  }
}

/** Whether a connection is left out of a room delivery: it caused it, or its user is excluded. */
function skips(delivery: RoomDelivery, connection: ChatConnection): boolean {
  return connection.id === delivery.exclude || connection.user.id === delivery.excludeUser;
}

/** Whether anyone but the excluded connection is in the room: if not, nothing is serialized. */
function hasRecipient(members: ReadonlySet<ChatConnection>, exclude: string | undefined): boolean {
  if (members.size > 1) return true;
  for (const member of members) if (member.id !== exclude) return true;
  return false;
}
