import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { tokenFromSubprotocols } from '../protocol/subprotocol.js';
import { HandshakeRejection } from './handshake-rejection.js';
import type { Identity } from './identity.js';
import { queryOf } from './request-query.js';

const DISPLAY_NAME = /^[^\p{C}]{1,32}$/u;
const DEV_USER_ID = /^[A-Za-z0-9_.:@-]{1,64}$/;
/** Shared by every identity without room claims: an empty array per socket costs 32 bytes. */
const NO_ROOM_CLAIMS: readonly string[] = Object.freeze([]);

/** Settles who is connecting from the upgrade request alone: dev mode, or a JWT; also enforces ALLOWED_ORIGINS. */
@Injectable()
export class HandshakeAuthenticator {
  private readonly key: Uint8Array | KeyObject | undefined;
  private readonly algorithms: string[];
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {
    if (config.JWT_SECRET) {
      this.key = new TextEncoder().encode(config.JWT_SECRET);
      this.algorithms = ['HS256'];
    } else if (config.JWT_PUBLIC_KEY) {
      // Env files often carry PEM newlines escaped as "\n".
      this.key = createPublicKey(config.JWT_PUBLIC_KEY.replace(/\\n/g, '\n'));
      this.algorithms = ['RS256', 'ES256'];
    } else {
      this.algorithms = [];
    }
    this.allowedOrigins = new Set(
      config.ALLOWED_ORIGINS.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    );
  }

  /** True when tokens are required. */
  get jwtMode(): boolean {
    return this.key !== undefined;
  }

  /**
   * The identity behind an upgrade request, or throws (rejects with) `HandshakeRejection` (401 or 403).
   * Synchronous unless a token must be verified, so that a dev-mode upgrade is verified in one turn.
   */
  authenticate(request: IncomingMessage): Identity | Promise<Identity> {
    const origin = request.headers.origin;
    if (this.allowedOrigins.size > 0 && (!origin || !this.allowedOrigins.has(origin))) {
      throw new HandshakeRejection(403, 'origin not allowed');
    }
    const query = queryOf(request.url ?? '/');
    return this.key ? this.verifyToken(request, query, this.key) : devIdentity(query);
  }

  private async verifyToken(
    request: IncomingMessage,
    query: URLSearchParams,
    key: Uint8Array | KeyObject,
  ): Promise<Identity> {
    const header = request.headers.authorization;
    // The auth scheme is case-insensitive (RFC 9110).
    const bearer = /^bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    const token =
      bearer ??
      tokenFromSubprotocols(request.headers['sec-websocket-protocol']) ??
      query.get('access_token');
    if (!token) throw new HandshakeRejection(401, 'missing token');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: this.algorithms,
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JWTExpired ? 'token expired' : 'invalid token';
      throw new HandshakeRejection(401, reason);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 64) {
      throw new HandshakeRejection(401, 'token has no usable sub');
    }
    const name =
      typeof payload.name === 'string' && DISPLAY_NAME.test(payload.name)
        ? payload.name
        : payload.sub;
    const rooms = Array.isArray(payload.rooms)
      ? payload.rooms.filter((r) => typeof r === 'string')
      : [];
    return {
      user: { id: payload.sub, name },
      roomClaims: rooms.length > 0 ? rooms : NO_ROOM_CLAIMS,
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
    };
  }
}

function devIdentity(query: URLSearchParams): Identity {
  const name = query.get('name')?.trim();
  const uid = query.get('uid');
  return {
    user: {
      id: uid && DEV_USER_ID.test(uid) ? uid : `u-${randomHex16()}`,
      name: name && DISPLAY_NAME.test(name) ? name : `guest-${randomHex16().slice(-4)}`,
    },
    roomClaims: NO_ROOM_CLAIMS,
  };
}

/**
 * 16 random hex digits (the last two groups of a v4 UUID, 62 random bits): randomUUID draws from a cached
 * pool of random bytes, where randomBytes makes a system call per connection.
 */
function randomHex16(): string {
  const uuid = randomUUID();
  return uuid.slice(19, 23) + uuid.slice(24);
}
