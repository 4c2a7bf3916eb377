import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { CloseCode } from '../protocol/close-code.js';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { RoomsService } from '../domain/rooms/rooms.service.js';
import { ConnectionRegistry } from '../transport/connection-registry.js';
import { WriteQueue } from '../domain/messaging/write-queue.js';

/** How long the presence leaves of sockets cut at the deadline may still take before the engine goes. */
const SETTLE_AFTER_DEADLINE_MS = 250;

/**
 * On shutdown, all within SHUTDOWN_TIMEOUT_MS: refuse new upgrades, drop idle keep-alive connections,
 * drain the write queue so every accepted send is acked, close sockets with 1001, and let their presence
 * leaves finish before the engine goes. At the deadline, sockets whose close handshake has not completed
 * (a client that never reads) are terminated; last, every HTTP connection left (a client that never sent
 * a request, a half-sent upgrade, a keep-alive connection) is cut, so that closing the server waits for none.
 */
@Injectable()
export class GracefulShutdownService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(GracefulShutdownService.name);

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly registry: ConnectionRegistry,
    private readonly queue: WriteQueue,
    private readonly rooms: RoomsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.registry.accepting = false;
    const deadline = this.timeout(this.config.SHUTDOWN_TIMEOUT_MS);
    this.httpServer()?.closeIdleConnections();
    await Promise.race([this.queue.flush(), deadline.elapsed]);
    // A stored send's ack still travels back through the handler pipeline (microtasks); let it out first.
    await new Promise((resolve) => setImmediate(resolve));
    const connections = [...this.registry.all()];
    const sockets = connections.map((connection) => connection.socket);
    const allClosed = Promise.all(sockets.map((socket) => once(socket, 'close')));
    for (const connection of connections)
      connection.close(CloseCode.GoingAway, 'server shutting down');
    await Promise.race([allClosed, deadline.elapsed]);
    let terminated = 0;
    for (const socket of sockets) {
      if (socket.readyState === socket.CLOSED) continue;
      socket.terminate();
      terminated += 1;
    }
    if (terminated > 0) {
      // Terminated sockets emit `close` once destroyed, and only then start their presence leaves.
      const grace = this.timeout(SETTLE_AFTER_DEADLINE_MS);
      await Promise.race([allClosed, grace.elapsed]);
      await Promise.race([this.rooms.settled(), grace.elapsed]);
      grace.cancel();
    } else {
      // Presence leaves still under way need the engine, which shuts down after this hook.
      await Promise.race([this.rooms.settled(), deadline.elapsed]);
    }
    deadline.cancel();
    // Node tracks every HTTP connection, requests half-sent or never sent included (not upgraded ones):
    // cutting them here spares Nest's `forceCloseConnections`, which tracks each socket with a listener of its own.
    this.httpServer()?.closeAllConnections();
    this.logger.log(
      `shut down${signal ? ` on ${signal}` : ''}: ${sockets.length - terminated} sockets closed with 1001` +
        (terminated > 0
          ? `, ${terminated} terminated at the ${this.config.SHUTDOWN_TIMEOUT_MS} ms deadline`
          : ''),
    );
  }

  private httpServer(): Server | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
  }

  private timeout(ms: number): { elapsed: Promise<void>; cancel: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    return { elapsed, cancel: () => clearTimeout(timer) };
  }
}
