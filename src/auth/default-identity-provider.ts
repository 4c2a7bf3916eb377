import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { tokenFromSubprotocols } from '../protocol/subprotocol.js';
import { HandshakeRejection } from './handshake-rejection.js';
import type { Identity } from './identity.js';
import { IdentityProvider } from './identity-provider.js';
import { queryOf } from './request-query.js';

const DISPLAY_NAME = /^[^\p{C}]{1,32}$/u;
const DEV_USER_ID = /^[A-Za-z0-9_.:@-]{1,64}$/;
/** Shared by every identity without room claims: an empty array per socket costs 32 bytes. */
const NO_STRINGS: readonly string[] = Object.freeze([]);

/**
 * Today's identity, the default `IdentityProvider`: a JWT verified with JWT_SECRET or JWT_PUBLIC_KEY (its
 * `sub`, `name`, `rooms`, `roles` and `exp`) when either is set, else dev mode's `?uid=&name=`.
 */
@Injectable()
export class DefaultIdentityProvider extends IdentityProvider {
  private readonly key: Uint8Array | KeyObject | undefined;
  private readonly algorithms: string[];

  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {
    super();
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
  }

  /** True when tokens are required. */
  get jwtMode(): boolean {
    return this.key !== undefined;
  }

  /** Synchronous unless a token must be verified, so that a dev-mode upgrade is verified in one turn. */
  identify(request: IncomingMessage): Identity | Promise<Identity> {
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
    const identity: Identity = {
      user: { id: payload.sub, name },
      roomClaims: stringsOf(payload.rooms),
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
    };
    // Only when the token has roles: most sockets carry none, and an absent field costs nothing.
    const roles = stringsOf(payload.roles);
    if (roles.length > 0) identity.roles = roles;
    return identity;
  }
}

/** The strings of a claim that should be a list of strings; anything else in it is dropped. */
function stringsOf(claim: unknown): readonly string[] {
  if (!Array.isArray(claim)) return NO_STRINGS;
  const strings = claim.filter((item): item is string => typeof item === 'string');
  return strings.length > 0 ? strings : NO_STRINGS;
}

function devIdentity(query: URLSearchParams): Identity {
  const name = query.get('name')?.trim();
  const uid = query.get('uid');
  return {
    user: {
      id: uid && DEV_USER_ID.test(uid) ? uid : `u-${randomHex16()}`,
      name: name && DISPLAY_NAME.test(name) ? name : `guest-${randomHex16().slice(-4)}`,
    },
    roomClaims: NO_STRINGS,
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
