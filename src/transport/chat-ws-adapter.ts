import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { DiscoveryService, ModulesContainer } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage, Server } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { HandshakeAuthenticator } from '../auth/handshake-authenticator.js';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { ErrorAnswers } from '../domain/error-answer.js';
import { ConnectionAdmission } from '../domain/session.js';
import { Broker } from '../engine/broker.js';
import { gatewayEndpoint } from '../fast-path/gateway-endpoint.js';
import { GatewayRoutes } from '../fast-path/gateway-routes.js';
import { nestHandlerRoutes, type ResultTransform } from '../fast-path/nest-handler-route.js';
import {
  containerOf,
  upgradeListenersOf,
  type UpgradeListener,
} from '../fast-path/nest-internals.js';
import { ChatMetrics } from '../observability/chat-metrics.js';
import { RefusalLog } from '../observability/refusal-log.js';
import { selectSubprotocol } from '../protocol/subprotocol.js';
import { connectionOf, type ChatConnection } from './chat-connection.js';
import { ChatSocket } from './chat-socket.js';
import { ConnectionLifecycle } from './connection-lifecycle.js';
import { ConnectionRegistry } from './connection-registry.js';
import { applyHandshakeTimeout } from './handshake-timeout.js';
import { InboundFrames } from './inbound-frames.js';
import { Liveness } from './liveness.js';
import { Replies } from './replies.js';
import { routeUpgrade } from './upgrade-routing.js';
import { UpgradeVerifier, type VerifyCallback, type VerifyInfo } from './upgrade-verifier.js';

/** Largest pong frame a server writes: a 2-byte header and at most 125 bytes echoed from the ping. */
const MAX_PONG_FRAME_BYTES = 127;
/** ws's own default for unsent automatic pongs, kept as the ceiling. */
const MAX_PENDING_PONGS = 60;

/**
 * `WsAdapter` that speaks the wire contract. Only Nest's overrides are here; each job is its own class:
 * `UpgradeVerifier` (limits, authentication, DM subscription at the upgrade), `ConnectionLifecycle` and
 * `Liveness` (heartbeats, token expiry), `InboundFrames` (envelope parsing, routing), `Replies`. Nest gets
 * the `ChatConnection` as the client: guards, `@ConnectedSocket()`, filters and the gateway's
 * `handleConnection`/`handleDisconnect` see the session, not the raw ws socket.
 */
export class ChatWsAdapter extends WsAdapter {
  private readonly config: AppConfig;
  private readonly verifier: UpgradeVerifier;
  private readonly connections: ConnectionLifecycle;
  private readonly liveness: Liveness;
  private readonly inbound: InboundFrames;
  /** The lean path; undefined with GATEWAY_FAST_PATH off, when every handler runs on Nest's own. */
  private readonly routes: GatewayRoutes | undefined;
  /** The endpoint (`gatewayEndpoint`) of each server this adapter created, to tell whose gateway a socket is. */
  private readonly endpoints = new WeakMap<WebSocketServer, string>();
  /** Servers a gateway is connected to: a second gateway on one server is refused at boot. */
  private readonly connected = new WeakSet<WebSocketServer>();
  /**
   * Every socket's 'message' listener: one function for all (`this` is the socket, whose connection holds
   * its routes), so that an idle socket keeps no closure for it.
   */
  private readonly onMessage: (this: WebSocket, raw: Buffer, isBinary: boolean) => void;
  /** Every socket's 'error' listener: one function for all, so that an idle socket keeps no closure for it. */
  private readonly onSocketError = (error: Error): void =>
    this.log.debug?.(`socket error: ${error.message}`, 'ChatWsAdapter');

  constructor(
    app: INestApplicationContext,
    private readonly log: LoggerService,
  ) {
    super(app);
    this.config = app.get(appConfig.KEY);
    const registry = app.get(ConnectionRegistry);
    const metrics = app.get(ChatMetrics);
    this.verifier = new UpgradeVerifier(
      this.config,
      app.get(HandshakeAuthenticator),
      app.get(Broker),
      metrics,
      log,
      () => registry.accepting,
      admissionIn(app),
    );
    this.liveness = new Liveness(this.config.HEARTBEAT_INTERVAL_MS);
    this.connections = new ConnectionLifecycle(this.config, registry, this.liveness, metrics);
    this.inbound = new InboundFrames(
      this.config.DEFAULT_ROOM,
      metrics,
      new Replies(new ErrorAnswers(metrics, app.get(RefusalLog))),
    );
    this.onMessage = messageListener(this.inbound);
    if (this.config.GATEWAY_FAST_PATH) {
      // The container is what Nest's own context creators resolve guards, pipes, interceptors and filters from.
      this.routes = new GatewayRoutes(
        containerOf(app),
        new DiscoveryService(app.get(ModulesContainer)),
        (fault) => this.log.error(fault, 'ChatWsAdapter'),
      );
    } else {
      this.log.log("GATEWAY_FAST_PATH=false: gateway handlers run on Nest's own", 'ChatWsAdapter');
    }
  }

  override create(port: number, options: Record<string, unknown> = {}): WebSocketServer {
    const server = super.create(port, {
      ...options,
      maxPayload: this.config.MAX_FRAME_BYTES,
      // More fragments in one message close the socket with 1008 (ws's own code for it).
      maxFragments: this.config.MAX_FRAGMENTS,
      // Pongs count against SLOW_CONSUMER_BYTES like every other byte: ws terminates a socket that leaves
      // more than this many automatic pongs unsent, so that pongs alone can never queue past the bound.
      maxPendingAutoPongs: Math.max(
        1,
        Math.min(
          MAX_PENDING_PONGS,
          Math.floor(this.config.SLOW_CONSUMER_BYTES / MAX_PONG_FRAME_BYTES),
        ),
      ),
      perMessageDeflate: this.config.PERMESSAGE_DEFLATE,
      // Counts heartbeat pongs without a 'pong' listener on every socket (see ChatSocket).
      WebSocket: ChatSocket,
      verifyClient: (info: VerifyInfo, done: VerifyCallback) => this.verifier.verify(info, done),
      // Answers `switchboard`, never the offered `switchboard.bearer.<token>` (ws would pick the first offered).
      handleProtocols: selectSubprotocol,
    }) as WebSocketServer;
    this.endpoints.set(server, gatewayEndpoint(port, options.path));
    this.liveness.start();
    server.once('close', () => this.liveness.stop());
    return server;
  }

  /** Takes over the HTTP server's 'upgrade' event from Nest's listener (see `routeUpgrade`). */
  protected override ensureHttpServerExists(port: number, httpServer?: Server): Server | undefined {
    const server = super.ensureHttpServerExists(port, httpServer);
    if (!server) return server;
    applyHandshakeTimeout(server, this.config.HANDSHAKE_TIMEOUT_MS);
    const listeners = upgradeListenersOf(this);
    const upgrade: UpgradeListener = (request, socket, head) =>
      routeUpgrade(
        (this.wsServersRegistry.get(port) ?? []) as WebSocketServer[],
        request,
        socket,
        head,
      );
    server.off('upgrade', listeners.get(port)!);
    server.on('upgrade', upgrade);
    listeners.set(port, upgrade);
    return server;
  }

  override bindClientConnect(
    server: WebSocketServer,
    callback: (...args: unknown[]) => void,
  ): void {
    const endpoint = this.endpoints.get(server);
    // A socket is one session with one gateway's routes: a second gateway on the same port and path would
    // open a second session for it. Refused where it is declared, not on the first connection.
    if (this.connected.has(server))
      throw new Error(
        `two gateways listen on the same port and path (${endpoint}): give each its own path`,
      );
    this.connected.add(server);
    // Nest connects a gateway now, and compiles its own handlers now: so does the lean path.
    this.routes?.prepare();
    const lean = this.routes?.leanGateway(endpoint);
    server.on('connection', (socket: ChatSocket, request: IncomingMessage) => {
      const verified = this.verifier.opened(request);
      if (!verified) return socket.terminate();
      const connection = this.connections.open(socket, verified);
      if (!lean) return callback(connection, request);
      // What Nest's connection handler does (routes, disconnect hook, handleConnection) without its
      // per-socket closures; Nest's own runs when the gateway is not wholly on the lean path.
      connection.routes = lean.table;
      connection.disconnected = lean.disconnected;
      socket.on('message', this.onMessage);
      lean.connected(connection, request);
    });
  }

  override bindClientDisconnect(
    connection: ChatConnection,
    callback: (reason?: unknown) => void,
  ): void {
    // Called by the connection's one shared 'close' listener (see ConnectionLifecycle.open): no closure per socket.
    connection.disconnected = callback;
  }

  override bindMessageHandlers(
    connection: ChatConnection,
    handlers: MessageMappingProperties[],
    transform: ResultTransform,
  ): void {
    // Only for a gateway off the lean path (see bindClientConnect): Nest's per-socket handlers run its events.
    connection.routes = nestHandlerRoutes(
      handlers,
      transform,
      (error) => this.log.error(error, 'ChatWsAdapter'),
      connection.socket,
    );
    connection.socket.on('message', this.onMessage);
  }

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    // Oversized and malformed frames raise socket errors that clients control: debug, not error, so that
    // a public socket is not a log flood target. ws closes the socket itself (1009, 1002).
    server.on('connection', (socket: WebSocket) => socket.on('error', this.onSocketError));
    server.on('error', (error) => this.log.error(error, 'ChatWsAdapter'));
    return server;
  }
}

/** A 'message' listener shared by every socket: EventEmitter calls it with the socket as `this`. */
function messageListener(
  inbound: InboundFrames,
): (this: WebSocket, raw: Buffer, isBinary: boolean) => void {
  return function onMessage(this: WebSocket, raw: Buffer, isBinary: boolean): void {
    inbound.dispatch(connectionOf(this), raw, isBinary);
  };
}

/** The domain's admission check (service bans), or undefined in an app without the domain. */
function admissionIn(app: INestApplicationContext): ConnectionAdmission | undefined {
  try {
    return app.get(ConnectionAdmission, { strict: false });
  } catch {
    return undefined;
  }
}
