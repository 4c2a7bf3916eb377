import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { once } from 'node:events';
import { CloseCode } from '../common/close-code.js';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { RoomsService } from '../rooms/rooms.service.js';
import { ConnectionRegistry } from '../transport/connection-registry.js';
import { WriteQueue } from './write-queue.js';

/**
 * On shutdown: refuse new upgrades, drain the write queue so every accepted send is acked, close
 * sockets with 1001, and let their presence leaves finish before the engine goes.
 */
@Injectable()
export class GracefulShutdownService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(GracefulShutdownService.name);

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly registry: ConnectionRegistry,
    private readonly queue: WriteQueue,
    private readonly rooms: RoomsService,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.registry.accepting = false;
    const deadline = this.timeout();
    await Promise.race([this.queue.flush(), deadline.elapsed]);
    // A stored send's ack still travels back through the handler pipeline (microtasks); let it out first.
    await new Promise((resolve) => setImmediate(resolve));
    const closed = [...this.registry.all()].map((connection) => {
      connection.close(CloseCode.GoingAway, 'server shutting down');
      return once(connection.socket, 'close');
    });
    await Promise.race([Promise.all(closed), deadline.elapsed]);
    // Presence leaves still under way need the engine, which shuts down after this hook.
    await Promise.race([this.rooms.settled(), deadline.elapsed]);
    deadline.cancel();
    this.logger.log(
      `shut down${signal ? ` on ${signal}` : ''}: ${closed.length} sockets closed with 1001`,
    );
  }

  private timeout(): { elapsed: Promise<void>; cancel: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise<void>(
      (resolve) => (timer = setTimeout(resolve, this.config.SHUTDOWN_TIMEOUT_MS)),
    );
    return { elapsed, cancel: () => clearTimeout(timer) };
  }
}
