import type { LoggerService } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HandshakeAuthenticator } from '../auth/handshake-authenticator.js';
import { HandshakeRejection } from '../auth/handshake-rejection.js';
import type { Identity } from '../auth/identity.js';
import type { AppConfig } from '../config/app-config.js';
import type { Broker } from '../engine/broker.js';
import type { ConnectionAdmission } from '../domain/session.js';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import { isServerSenderId } from '../protocol/server-sender.js';
import { clientIp } from './client-ip.js';
import { UpgradeGate, UpgradePass, type UpgradeRefusal } from './upgrade-gate.js';

/** What ws's `verifyClient` is given. */
export interface VerifyInfo {
  origin: string;
  secure: boolean;
  req: IncomingMessage;
}

/** ws's `verifyClient` answer. */
export type VerifyCallback = (
  result: boolean,
  code?: number,
  message?: string,
  headers?: Record<string, string>,
) => void;

/** An admitted upgrade, until its socket opens. */
interface Handshake {
  /** Its share of the connection limits; the connection keeps it once the socket opens. */
  pass: UpgradePass;
  /** Set once authenticated and the user's DM channel subscribed (to unsubscribe should it never open). */
  identity?: Identity;
  opened: boolean;
  /** Set once verified, when the socket may open. */
  verified: boolean;
  /** Set once what it held was given back: a refusal and the TCP close may both try. */
  abandoned: boolean;
  /** True while the TCP connection's 'close' listener is on: only a verification that waits adds it. */
  watchingClose: boolean;
}

/** A verified upgrade whose socket just opened. */
export interface VerifiedUpgrade {
  identity: Identity;
  /** Its share of the connection limits, given back when the socket closes. */
  admission: UpgradePass;
}

/**
 * Verifies an upgrade before any socket exists: the connection limits (node, IP, rate, handshakes under
 * way, then user), authentication, and the user's DM subscription, so that no DM can miss a socket that is
 * already open. Refusals are HTTP answers (503, 429 with `Retry-After`, 401, 403).
 */
export class UpgradeVerifier {
  /** Admitted upgrades whose socket has not opened yet, by their TCP connection. */
  private readonly handshakes = new WeakMap<Duplex, Handshake>();
  private readonly gate: UpgradeGate;
  /**
   * Every admitted TCP connection's 'close' listener until its socket opens (then the WebSocket's close
   * gives everything back): one function for all, `this` the TCP connection, so no closure per handshake.
   */
  private readonly onClosedEarly: (this: Duplex) => void;

  constructor(
    private readonly config: AppConfig,
    private readonly authenticator: HandshakeAuthenticator,
    private readonly broker: Broker,
    private readonly metrics: ChatMetrics,
    private readonly log: LoggerService,
    /** False once shutdown began: upgrades are then refused with 503. */
    private readonly accepting: () => boolean,
    /** Refuses users banned from the service with 403; absent in an app without the domain. */
    private readonly connectionAdmission?: ConnectionAdmission,
  ) {
    this.gate = new UpgradeGate({
      maxConnections: config.MAX_CONNECTIONS,
      maxConnectionsPerIp: config.MAX_CONNECTIONS_PER_IP,
      maxConnectionsPerUser: config.MAX_CONNECTIONS_PER_USER,
      connectionRatePerSecond: config.CONNECTION_RATE_PER_SECOND,
      maxPendingHandshakes: config.MAX_PENDING_HANDSHAKES,
    });
    const handshakes = this.handshakes;
    const abandon = (handshake: Handshake | undefined) => handshake && this.abandon(handshake);
    this.onClosedEarly = function (this: Duplex) {
      abandon(handshakes.get(this));
    };
  }

  /**
   * ws's `verifyClient`: answers `done` once the upgrade is admitted and authenticated, or refused; in the
   * same turn when nothing it needs is asynchronous (dev identities on the memory engine).
   */
  verify(info: VerifyInfo, done: VerifyCallback): void {
    if (!this.accepting()) return done(false, 503, 'shutting down');
    const pass = this.gate.admit(clientIp(info.req, this.config.TRUST_PROXY));
    if (!(pass instanceof UpgradePass)) return this.refuseUpgrade(pass, done);
    const handshake: Handshake = {
      pass,
      opened: false,
      verified: false,
      abandoned: false,
      watchingClose: false,
    };
    const socket = info.req.socket;
    this.handshakes.set(socket, handshake);
    if (socket.closed) {
      this.abandon(handshake);
      pass.settle();
      return done(false, 503, 'closed during the handshake');
    }
    const settled = this.authorize(info, handshake, done);
    if (settled) {
      // Until the socket opens, the TCP connection's close gives everything back; then the WebSocket's
      // close does. Only a verification that waits needs the listener: one settled in this turn has opened
      // its socket or been refused before any close could be heard, and a listener added and taken off in
      // one turn costs every upgrade two scans of the connection's listeners.
      if (!handshake.opened && !handshake.abandoned) {
        handshake.watchingClose = true;
        socket.on('close', this.onClosedEarly);
      }
      void settled.finally(() => pass.settle());
      return;
    }
    pass.settle();
    // Refused in this turn (or its socket could not open): nothing else will give its counts back.
    if (!handshake.opened) this.abandon(handshake);
  }

  /** The verified upgrade behind a socket that just opened, handed over once; undefined if it was not verified. */
  opened(request: IncomingMessage): VerifiedUpgrade | undefined {
    const handshake = this.handshakes.get(request.socket);
    if (!handshake?.verified || !handshake.identity) return undefined;
    this.handshakes.delete(request.socket);
    handshake.opened = true;
    if (handshake.watchingClose) request.socket.off('close', this.onClosedEarly);
    return { identity: handshake.identity, admission: handshake.pass };
  }

  /** Gives back what a handshake that never opened a socket holds: its counts and its DM subscription. */
  private abandon(handshake: Handshake): void {
    if (handshake.opened || handshake.abandoned) return;
    handshake.abandoned = true;
    handshake.pass.release();
    // The identity is set once the user's DM channel is subscribed: there is something to unsubscribe.
    if (handshake.identity !== undefined)
      void this.broker.unwatchUser(handshake.identity.user.id).catch(() => undefined);
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

  /** Authenticates and subscribes the user's DMs; a promise only when one of those steps is asynchronous. */
  private authorize(
    info: VerifyInfo,
    handshake: Handshake,
    done: VerifyCallback,
  ): Promise<void> | undefined {
    let identity: Identity | Promise<Identity>;
    try {
      identity = this.authenticator.authenticate(info.req);
    } catch (error) {
      return this.refuseIdentity(error, done);
    }
    if (identity instanceof Promise) {
      return identity.then(
        (verified) => this.subscribe(info, handshake, verified, done),
        (error: unknown) => this.refuseIdentity(error, done),
      );
    }
    return this.subscribe(info, handshake, identity, done);
  }

  private refuseIdentity(error: unknown, done: VerifyCallback): undefined {
    if (error instanceof HandshakeRejection) {
      done(false, error.status, error.message);
      return undefined;
    }
    this.log.error(error, 'ChatWsAdapter');
    done(false, 500, 'internal error');
    return undefined;
  }

  private subscribe(
    info: VerifyInfo,
    handshake: Handshake,
    identity: Identity,
    done: VerifyCallback,
  ): Promise<void> | undefined {
    // Whatever proved the identity: no user may pass for a sender the host's server publishes as.
    if (isServerSenderId(identity.user.id)) {
      done(false, 401, 'reserved user id');
      return undefined;
    }
    const banned = this.connectionAdmission?.connectionRefusal(identity.user.id);
    if (banned !== undefined) {
      done(false, 403, banned);
      return undefined;
    }
    const refusal = handshake.pass.admitUser(identity.user.id);
    if (refusal) {
      this.refuseUpgrade(refusal, done);
      return undefined;
    }
    // Before the socket exists, so that no DM to a connected user can miss this node.
    let watching: Promise<void> | void;
    try {
      watching = this.broker.watchUser(identity.user.id);
    } catch {
      done(false, 503, 'unavailable');
      return undefined;
    }
    if (!watching) return this.admit(info, handshake, identity, done);
    return watching.then(
      () => this.admit(info, handshake, identity, done),
      () => done(false, 503, 'unavailable'),
    );
  }

  private admit(
    info: VerifyInfo,
    handshake: Handshake,
    identity: Identity,
    done: VerifyCallback,
  ): undefined {
    handshake.identity = identity;
    // Closed while the subscription was made: abandon() ran before there was anything to unsubscribe.
    if (info.req.socket.closed) {
      this.abandon(handshake);
      done(false, 503, 'closed during the handshake');
      return undefined;
    }
    handshake.verified = true;
    done(true);
    return undefined;
  }
}
