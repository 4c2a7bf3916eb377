import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { listen } from '../process/listen.js';

/** The paths served on OPS_PORT; anything else there is 404. */
const OPS_PATH = /^\/(?:health\/(?:live|ready)|metrics)\/?(?:\?|$)/;

/**
 * When OPS_PORT is set, a second HTTP listener on OPS_PORT/OPS_HOST that hands `/health/*` and
 * `/metrics` to the app's own routes (same controllers, same middleware) and answers 404 to anything
 * else; `OpsPortGuard` then hides those routes on PORT. Closed, connections and all, on shutdown.
 */
@Injectable()
export class OpsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OpsServer');
  private server: Server | undefined;
  private readonly sockets = new WeakSet<Socket>();
  /** The port it listens on, once started (OPS_PORT, or the one picked for OPS_PORT=0). */
  port: number | undefined;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** True when OPS_PORT is set, so that the ops routes answer only on it. */
  get enabled(): boolean {
    return this.config.OPS_PORT !== undefined;
  }

  /** Whether a request arrived through this listener. */
  received(request: IncomingMessage): boolean {
    return this.sockets.has(request.socket);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    const app = this.adapterHost.httpAdapter.getInstance<RequestListener>();
    const server = createServer((request, response) => {
      if (OPS_PATH.test(request.url ?? '')) app(request, response);
      else
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not Found');
    });
    server.on('connection', (socket: Socket) => this.sockets.add(socket));
    this.server = server;
    const address = await listen(server, this.config.OPS_PORT!, this.config.OPS_HOST);
    this.port = address.port;
    this.logger.log(`/health and /metrics on http://${this.config.OPS_HOST}:${address.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }
}
