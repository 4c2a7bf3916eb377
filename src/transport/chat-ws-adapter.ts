import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import type { NestContainer } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { isObservable, type Observable } from 'rxjs';
import sjson from 'secure-json-parse';
import type { WebSocket, WebSocketServer } from 'ws';
import { HandshakeAuthenticator } from '../auth/handshake-authenticator.js';
import { HandshakeRejection } from '../auth/handshake-rejection.js';
import type { Identity } from '../auth/identity.js';
import { ChatErrorCode } from '../common/chat-error-code.js';
import { CloseCode } from '../common/close-code.js';
import { errorFrame, refOf } from '../common/error-frame.js';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { Broker } from '../engine/broker.js';
import { ChatMetrics } from '../observability/chat-metrics.js';
import {
  ChatConnection,
  connectionOf,
  type ConnectionLimits,
  type ConnectionObserver,
} from './chat-connection.js';
import { ConnectionRegistry } from './connection-registry.js';
import type { EventRoute } from './gateway-route.js';
import { GatewayRoutes, type RouteTable } from './gateway-routes.js';
import { Heartbeat } from './heartbeat.js';
import { TokenBucket } from './token-bucket.js';

/** Longest a single timer may wait in Node; longer token lifetimes are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const OPEN_BRACE = 0x7b;
/** Deepest nesting of objects and arrays in `data`; deeper input overflows the validator's recursion. */
const MAX_DATA_DEPTH = 32;

/** A verified upgrade, until its socket opens. */
interface Handshake {
  identity: Identity;
  opened: boolean;
}

/** Shared by every socket, so that idle sockets carry no closure of their own for heartbeats. */
function resetMissedPongs(this: WebSocket): void {
  connectionOf(this).missedPongs = 0;
}

interface VerifyInfo {
  origin: string;
  secure: boolean;
  req: IncomingMessage;
}
type VerifyCallback = (result: boolean, code?: number, message?: string) => void;

/**
 * `WsAdapter` that speaks the wire contract: authenticates at the upgrade, answers every frame
 * (bad JSON, non-envelopes and unknown events get an `error`), maps plain text to the default room,
 * echoes `ref` on replies, and owns heartbeats, token expiry and frame limits.
 */
export class ChatWsAdapter extends WsAdapter {
  private readonly config: AppConfig;
  private readonly authenticator: HandshakeAuthenticator;
  private readonly registry: ConnectionRegistry;
  private readonly metrics: ChatMetrics;
  private readonly broker: Broker;
  /** Verified upgrades whose socket has not opened yet. */
  private readonly handshakes = new WeakMap<IncomingMessage, Handshake>();
  private readonly limits: ConnectionLimits;
  private readonly observer: ConnectionObserver;
  private readonly routes: GatewayRoutes;
  /** Pings every socket once per HEARTBEAT_INTERVAL_MS, each at its own offset. */
  private readonly heartbeat: Heartbeat<ChatConnection>;

  constructor(
    app: INestApplicationContext,
    private readonly log: LoggerService,
  ) {
    super(app);
    this.config = app.get(appConfig.KEY);
    this.authenticator = app.get(HandshakeAuthenticator);
    this.registry = app.get(ConnectionRegistry);
    this.metrics = app.get(ChatMetrics);
    this.broker = app.get(Broker);
    this.limits = {
      slowConsumerBytes: this.config.SLOW_CONSUMER_BYTES,
      rateLimitCloseAfter: this.config.RATE_LIMIT_CLOSE_AFTER,
    };
    this.observer = {
      slowConsumerClosed: () => this.metrics.slowConsumerCloses.inc(),
    };
    // The container is what Nest's own context creators resolve guards, pipes, interceptors and filters from.
    this.routes = new GatewayRoutes(
      (app as unknown as { container: NestContainer }).container,
      (fault) => this.log.error(fault, 'ChatWsAdapter'),
    );
    this.heartbeat = new Heartbeat(this.config.HEARTBEAT_INTERVAL_MS);
  }

  override create(port: number, options: Record<string, unknown> = {}): WebSocketServer {
    const server = super.create(port, {
      ...options,
      maxPayload: this.config.MAX_FRAME_BYTES,
      perMessageDeflate: this.config.PERMESSAGE_DEFLATE,
      verifyClient: (info: VerifyInfo, done: VerifyCallback) => void this.verify(info, done),
    }) as WebSocketServer;
    this.heartbeat.start();
    server.once('close', () => this.heartbeat.stop());
    return server;
  }

  override bindClientConnect(
    server: WebSocketServer,
    callback: (...args: unknown[]) => void,
  ): void {
    server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
      const handshake = this.handshakes.get(request);
      if (!handshake) return socket.terminate();
      this.handshakes.delete(request);
      handshake.opened = true;
      this.open(socket, handshake.identity);
      callback(socket, request);
    });
  }

  override bindClientDisconnect(socket: WebSocket, callback: (reason?: unknown) => void): void {
    socket.once('close', (code: number) => {
      // The gateway runs first: it still needs the connection's rooms to announce the leave.
      callback(code);
      const connection = connectionOf(socket);
      this.heartbeat.remove(connection);
      this.registry.remove(connection);
      this.metrics.connections.set(this.registry.size);
    });
  }

  override bindMessageHandlers(
    socket: WebSocket,
    handlers: MessageMappingProperties[],
    _transform: (data: unknown) => Observable<unknown>,
  ): void {
    const connection = connectionOf(socket);
    // Compiled once and shared by every socket; Nest's per-socket handlers are kept only when they must run.
    const routes = this.routes.forHandlers(handlers) ?? this.nestRoutes(handlers);
    socket.on('message', (raw: Buffer, isBinary: boolean) =>
      this.dispatch(connection, routes, raw, isBinary),
    );
  }

  /** Nest's own handlers for this socket, for a gateway the lean path cannot compile (request-scoped). */
  private nestRoutes(handlers: MessageMappingProperties[]): RouteTable {
    const routes = new Map<string, EventRoute>();
    for (const handler of handlers) {
      routes.set(String(handler.message), {
        handle: (_client, data, reply) =>
          void Promise.resolve(handler.callback(data, handler.message)).then(
            (result: unknown) => {
              if (isObservable(result)) result.subscribe(reply);
              else reply(result);
            },
            (error: unknown) => this.log.error(error, 'ChatWsAdapter'),
          ),
      });
    }
    return routes;
  }

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    // Oversized and malformed frames raise socket errors that clients control: debug, not error, so that
    // a public socket is not a log flood target. ws closes the socket itself (1009, 1002).
    server.on('connection', (socket: WebSocket) =>
      socket.on('error', (error) =>
        this.log.debug?.(`socket error: ${error.message}`, 'ChatWsAdapter'),
      ),
    );
    server.on('error', (error) => this.log.error(error, 'ChatWsAdapter'));
    return server;
  }

  private async verify(info: VerifyInfo, done: VerifyCallback): Promise<void> {
    if (!this.registry.accepting) return done(false, 503, 'shutting down');
    let identity: Identity;
    try {
      identity = await this.authenticator.authenticate(info.req);
    } catch (error) {
      if (error instanceof HandshakeRejection) return done(false, error.status, error.message);
      this.log.error(error, 'ChatWsAdapter');
      return done(false, 500, 'internal error');
    }
    try {
      // Before the socket exists, so that no DM to a connected user can miss this node.
      await this.broker.watchUser(identity.user.id);
    } catch {
      return done(false, 503, 'unavailable');
    }
    const handshake: Handshake = { identity, opened: false };
    this.handshakes.set(info.req, handshake);
    // Captures the handshake, not the request: a listener that held the request would keep it
    // (headers and all) alive for the socket's whole life.
    info.req.socket.once('close', () => {
      // Never opened: the handshake failed after verification, so no socket will give the count back.
      if (!handshake.opened) void this.broker.unwatchUser(identity.user.id).catch(() => undefined);
    });
    done(true);
  }

  private open(socket: WebSocket, identity: Identity): void {
    const connection = new ChatConnection(
      this.registry.nextId(),
      socket,
      identity,
      new TokenBucket(this.config.RATE_LIMIT_PER_SECOND, this.config.RATE_LIMIT_BURST),
      this.limits,
      this.observer,
    );
    this.registry.add(connection);
    this.metrics.connections.set(this.registry.size);
    this.heartbeat.add(connection);
    socket.on('pong', resetMissedPongs);
    if (identity.expiresAt !== undefined) this.expireAt(connection, identity.expiresAt);
  }

  private expireAt(connection: ChatConnection, expiresAt: number): void {
    const wait = expiresAt - Date.now();
    if (wait <= 0) return connection.close(CloseCode.TokenExpired, 'token expired');
    const timer = setTimeout(
      () => this.expireAt(connection, expiresAt),
      Math.min(wait, MAX_TIMER_MS),
    );
    connection.socket.once('close', () => clearTimeout(timer));
  }

  private dispatch(
    connection: ChatConnection,
    routes: RouteTable,
    raw: Buffer,
    isBinary: boolean,
  ): void {
    // A socket closing (1008, 1013, 4001) takes no more frames, whatever is still in flight.
    if (!connection.isOpen) return;
    const envelope = isBinary ? undefined : this.parse(connection, raw);
    if (isBinary)
      return this.refuse(connection, ChatErrorCode.BadRequest, 'binary frames are not supported');
    if (!envelope) return;
    const route = routes.get(envelope.event);
    if (!route) {
      return this.refuse(
        connection,
        ChatErrorCode.UnknownEvent,
        `unknown event "${envelope.event.slice(0, 64)}"`,
        envelope.data,
      );
    }
    const ref = refOf(envelope.data);
    this.metrics.messagesIn.inc(envelope.event);
    route.handle(connection.socket, envelope.data, (value) => this.reply(connection, value, ref));
  }

  /** Parses one text frame into an envelope, answering `bad_request` itself when it is not one. */
  private parse(
    connection: ChatConnection,
    raw: Buffer,
  ): { event: string; data: Record<string, unknown> } | undefined {
    let start = 0;
    while (
      start < raw.length &&
      (raw[start] === 0x20 || raw[start] === 0x0a || raw[start] === 0x0d || raw[start] === 0x09)
    )
      start += 1;
    if (raw[start] !== OPEN_BRACE) {
      if (!this.config.DEFAULT_ROOM) {
        this.refuse(
          connection,
          ChatErrorCode.BadRequest,
          'plain text needs a default room, and none is configured',
        );
        return undefined;
      }
      return {
        event: 'message',
        data: { room: this.config.DEFAULT_ROOM, text: raw.toString('utf8') },
      };
    }
    let parsed: unknown;
    try {
      parsed = sjson.parse(raw.toString('utf8'), undefined, {
        protoAction: 'remove',
        constructorAction: 'remove',
      });
    } catch {
      this.refuse(connection, ChatErrorCode.BadRequest, 'frame is not valid JSON');
      return undefined;
    }
    const envelope = parsed as { event?: unknown; data?: unknown };
    if (
      typeof envelope !== 'object' ||
      envelope === null ||
      Array.isArray(envelope) ||
      typeof envelope.event !== 'string'
    ) {
      this.refuse(
        connection,
        ChatErrorCode.BadRequest,
        'frame is not an envelope {"event": string, "data": object}',
      );
      return undefined;
    }
    const data = envelope.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      this.refuse(connection, ChatErrorCode.BadRequest, '"data" must be an object');
      return undefined;
    }
    if (nestsDeeperThan(data, MAX_DATA_DEPTH)) {
      this.refuse(connection, ChatErrorCode.BadRequest, '"data" is nested too deeply');
      return undefined;
    }
    return { event: envelope.event, data: data as Record<string, unknown> };
  }

  /** Answers a frame the adapter refused before any handler ran; such frames still spend rate tokens. */
  private refuse(
    connection: ChatConnection,
    code: ChatErrorCode,
    message: string,
    data?: unknown,
  ): void {
    const retryAfterMs = connection.takeRateToken();
    const ref = refOf(data);
    if (retryAfterMs > 0) {
      this.metrics.errors.inc({ code: ChatErrorCode.RateLimited });
      connection.send(
        errorFrame(ChatErrorCode.RateLimited, 'rate limit exceeded', ref, { retryAfterMs }),
      );
      return;
    }
    this.metrics.errors.inc({ code });
    connection.send(errorFrame(code, message, ref));
  }

  private reply(connection: ChatConnection, result: unknown, ref: string | undefined): void {
    const frame = result as { event?: unknown; data?: unknown } | undefined;
    if (!frame || typeof frame.event !== 'string') return;
    const data =
      ref !== undefined && typeof frame.data === 'object' && frame.data !== null
        ? { ...frame.data, ref }
        : frame.data;
    connection.send(JSON.stringify({ event: frame.event, data }));
  }
}

/** Whether objects and arrays nest deeper than `max` levels below `value`; iterative, as the input is hostile. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth += 1) {
    if (depth > max) return true;
    const next: unknown[] = [];
    for (const node of level) {
      if (typeof node === 'object' && node !== null)
        for (const child of Object.values(node)) next.push(child);
    }
    level = next;
  }
  return false;
}
