import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import type { NestContainer } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { isObservable, type Observable } from 'rxjs';
import sjson from 'secure-json-parse';
import type { WebSocket, WebSocketServer } from 'ws';
import { HandshakeAuthenticator } from '../auth/handshake-authenticator.js';
import { HandshakeRejection } from '../auth/handshake-rejection.js';
import type { Identity } from '../auth/identity.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { CloseCode } from '../protocol/close-code.js';
import { errorFrame, refOf } from '../protocol/error-frame.js';
import { RefusalLog } from '../observability/refusal-log.js';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { Broker } from '../engine/broker.js';
import { ChatMetrics } from '../observability/chat-metrics.js';
import {
  ChatConnection,
  connectionOf,
  type ConnectionLimits,
  type ConnectionObserver,
} from './chat-connection.js';
import { abortUpgrade } from './abort-upgrade.js';
import { clientIp } from './client-ip.js';
import { ConnectionRegistry } from './connection-registry.js';
import type { EventRoute } from '../fast-path/gateway-route.js';
import { GatewayRoutes, type RouteTable } from '../fast-path/gateway-routes.js';
import { applyHandshakeTimeout } from './handshake-timeout.js';
import { Heartbeat } from './heartbeat.js';
import { TokenBucket } from './token-bucket.js';
import { UpgradeGate, UpgradePass, type UpgradeRefusal } from './upgrade-gate.js';

/** Longest a single timer may wait in Node; longer token lifetimes are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const OPEN_BRACE = 0x7b;
/** Deepest nesting of objects and arrays in `data`; deeper input overflows the validator's recursion. */
const MAX_DATA_DEPTH = 32;
/** Largest pong frame a server writes: a 2-byte header and at most 125 bytes echoed from the ping. */
const MAX_PONG_FRAME_BYTES = 127;
/** ws's own default for unsent automatic pongs, kept as the ceiling. */
const MAX_PENDING_PONGS = 60;

/** An admitted upgrade, until its socket opens. */
interface Handshake {
  /** Its share of the connection limits; the connection keeps it once the socket opens. */
  pass: UpgradePass;
  /** Set once verified. */
  identity?: Identity;
  /** The user whose DM channel was subscribed for it, to unsubscribe should it never open. */
  watching?: string;
  opened: boolean;
  /** Listens for the TCP connection's close until the socket opens, then is taken off. */
  abandon: () => void;
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
type VerifyCallback = (
  result: boolean,
  code?: number,
  message?: string,
  headers?: Record<string, string>,
) => void;
type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Runs `callback` once `socket` has closed, even if it already has. */
function whenClosed(socket: Duplex, callback: () => void): void {
  if (socket.closed) callback();
  else socket.once('close', callback);
}

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
  private readonly gate: UpgradeGate;
  private readonly refusals: RefusalLog;
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
    this.refusals = app.get(RefusalLog);
    this.limits = {
      slowConsumerBytes: this.config.SLOW_CONSUMER_BYTES,
      refusalSilentAfter: this.config.RATE_LIMIT_SILENT_AFTER,
      refusalCloseAfter: this.config.RATE_LIMIT_CLOSE_AFTER,
      refusalWindowMs: this.config.RATE_LIMIT_WINDOW_MS,
    };
    this.observer = {
      slowConsumerClosed: () => this.metrics.slowConsumerCloses.inc(),
    };
    this.gate = new UpgradeGate({
      maxConnections: this.config.MAX_CONNECTIONS,
      maxConnectionsPerIp: this.config.MAX_CONNECTIONS_PER_IP,
      maxConnectionsPerUser: this.config.MAX_CONNECTIONS_PER_USER,
      connectionRatePerSecond: this.config.CONNECTION_RATE_PER_SECOND,
      maxPendingHandshakes: this.config.MAX_PENDING_HANDSHAKES,
    });
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
      verifyClient: (info: VerifyInfo, done: VerifyCallback) => void this.verify(info, done),
    }) as WebSocketServer;
    this.heartbeat.start();
    server.once('close', () => this.heartbeat.stop());
    return server;
  }

  /**
   * Takes over the HTTP server's 'upgrade' event from Nest's listener, which closes an upgrade on an
   * unknown path without a word and answers an unparsable URL with a malformed status line.
   */
  protected override ensureHttpServerExists(port: number, httpServer?: Server): Server | undefined {
    const server = super.ensureHttpServerExists(port, httpServer);
    if (!server) return server;
    applyHandshakeTimeout(server, this.config.HANDSHAKE_TIMEOUT_MS);
    // Nest keeps its listener in a private registry, which dispose() uses to take it off again.
    const listeners = (
      this as unknown as { upgradeListenersRegistry: Map<number, UpgradeListener> }
    ).upgradeListenersRegistry;
    const upgrade: UpgradeListener = (request, socket, head) =>
      this.routeUpgrade(port, request, socket, head);
    server.off('upgrade', listeners.get(port)!);
    server.on('upgrade', upgrade);
    listeners.set(port, upgrade);
    return server;
  }

  /** Hands an upgrade to the WebSocket server of its path, or answers why not with an HTTP status. */
  private routeUpgrade(port: number, request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // RFC 6455 opens a WebSocket with an HTTP/1.1 (or later) GET.
    if (
      request.httpVersionMajor < 1 ||
      (request.httpVersionMajor === 1 && request.httpVersionMinor < 1)
    )
      return abortUpgrade(socket, 400, 'WebSocket upgrades need HTTP/1.1');
    let pathname: string;
    try {
      pathname = new URL(request.url ?? '/', `ws://${request.headers.host}/`).pathname;
    } catch {
      return abortUpgrade(socket, 400, 'invalid URL');
    }
    const wsServer = (this.wsServersRegistry.get(port) ?? []).find(
      (candidate: { path: string }) => candidate.path === pathname,
    ) as WebSocketServer | undefined;
    if (!wsServer) return abortUpgrade(socket, 404, 'no WebSocket endpoint on this path');
    wsServer.handleUpgrade(request, socket, head, (ws) => wsServer.emit('connection', ws, request));
  }

  override bindClientConnect(
    server: WebSocketServer,
    callback: (...args: unknown[]) => void,
  ): void {
    server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
      const handshake = this.handshakes.get(request);
      if (!handshake?.identity) return socket.terminate();
      this.handshakes.delete(request);
      handshake.opened = true;
      request.socket.off('close', handshake.abandon);
      this.open(socket, handshake.identity, handshake.pass);
      callback(socket, request);
    });
  }

  override bindClientDisconnect(socket: WebSocket, callback: (reason?: unknown) => void): void {
    socket.once('close', (code: number) => {
      // The gateway runs first: it still needs the connection's rooms to announce the leave.
      callback(code);
      const connection = connectionOf(socket);
      connection.admission?.release();
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
    const pass = this.gate.admit(clientIp(info.req, this.config.TRUST_PROXY));
    if (!(pass instanceof UpgradePass)) return this.refuseUpgrade(pass, done);
    const handshake: Handshake = { pass, opened: false, abandon: () => this.abandon(handshake) };
    // Until the socket opens, the TCP connection's close gives everything back; then the WebSocket's close
    // does (bindClientDisconnect), and this listener is taken off, so that an idle socket keeps no closure.
    whenClosed(info.req.socket, handshake.abandon);
    try {
      await this.authorize(info, handshake, done);
    } finally {
      pass.settle();
    }
  }

  /** Gives back what a handshake that never opened a socket holds: its counts and its DM subscription. */
  private abandon(handshake: Handshake): void {
    if (handshake.opened) return;
    handshake.pass.release();
    if (handshake.watching !== undefined)
      void this.broker.unwatchUser(handshake.watching).catch(() => undefined);
  }

  private refuseUpgrade(refusal: UpgradeRefusal, done: VerifyCallback): void {
    this.metrics.upgradesRefused.inc({ reason: refusal.limit });
    // Debug, not warn: a flood of refusals must not become a flood of log lines.
    this.log.debug?.(`upgrade refused: ${refusal.limit}`, 'ChatWsAdapter');
    const headers =
      refusal.retryAfterSeconds === undefined
        ? undefined
        : { 'Retry-After': String(refusal.retryAfterSeconds) };
    done(false, refusal.status, refusal.limit.replaceAll('_', ' '), headers);
  }

  private async authorize(
    info: VerifyInfo,
    handshake: Handshake,
    done: VerifyCallback,
  ): Promise<void> {
    let identity: Identity;
    try {
      identity = await this.authenticator.authenticate(info.req);
    } catch (error) {
      if (error instanceof HandshakeRejection) return done(false, error.status, error.message);
      this.log.error(error, 'ChatWsAdapter');
      return done(false, 500, 'internal error');
    }
    const refusal = handshake.pass.admitUser(identity.user.id);
    if (refusal) return this.refuseUpgrade(refusal, done);
    try {
      // Before the socket exists, so that no DM to a connected user can miss this node.
      await this.broker.watchUser(identity.user.id);
    } catch {
      return done(false, 503, 'unavailable');
    }
    handshake.identity = identity;
    handshake.watching = identity.user.id;
    // Closed while the subscription was made: abandon() ran before there was anything to unsubscribe.
    if (info.req.socket.closed) {
      this.abandon(handshake);
      return done(false, 503, 'closed during the handshake');
    }
    this.handshakes.set(info.req, handshake);
    done(true);
  }

  private open(socket: WebSocket, identity: Identity, admission: UpgradePass): void {
    const connection = new ChatConnection(
      this.registry.nextId(),
      socket,
      identity,
      new TokenBucket(this.config.RATE_LIMIT_PER_SECOND, this.config.RATE_LIMIT_BURST),
      this.limits,
      this.observer,
    );
    connection.admission = admission;
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
        envelope.event,
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

  /**
   * Answers a frame the adapter refused before any handler ran. Such frames still spend rate tokens and
   * count as refusals in the window; past RATE_LIMIT_SILENT_AFTER of them they are counted, not answered.
   */
  private refuse(
    connection: ChatConnection,
    code: ChatErrorCode,
    message: string,
    data?: unknown,
    event?: string,
  ): void {
    const retryAfterMs = connection.takeRateToken();
    // A frame over the rate was counted by the bucket; any other refusal is counted here, once.
    if (retryAfterMs === 0) connection.countRefusal();
    const sent = retryAfterMs > 0 ? ChatErrorCode.RateLimited : code;
    this.metrics.errors.inc({ code: sent });
    this.refusals.refused(event, sent, connection.user.id);
    if (!connection.answersRefusals) return;
    const ref = refOf(data);
    connection.send(
      retryAfterMs > 0
        ? errorFrame(ChatErrorCode.RateLimited, 'rate limit exceeded', ref, { retryAfterMs })
        : errorFrame(code, message, ref),
    );
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
