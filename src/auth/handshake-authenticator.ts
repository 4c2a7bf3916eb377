import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { appConfig, type AppConfig } from '../config/app-config.js';
import { HandshakeRejection } from './handshake-rejection.js';
import type { Identity } from './identity.js';
import { IdentityProvider } from './identity-provider.js';

const DISPLAY_NAME = /^[^\p{C}]{1,32}$/u;
const MAX_USER_ID_LENGTH = 64;
const LISTS = ['roomClaims', 'roles'] as const;

/** An identity provider answered with something that is not an `Identity`: a fault of the host's code, answered 500. */
export class InvalidIdentityError extends Error {
  constructor(problem: string) {
    super(`the identity provider returned an invalid identity: ${problem}`);
    this.name = 'InvalidIdentityError';
  }
}

/**
 * Settles who is connecting, for the upgrade verifier: enforces ALLOWED_ORIGINS, then asks the
 * `IdentityProvider` (the host's, or JWT/dev mode) and checks its answer is a usable identity.
 */
@Injectable()
export class HandshakeAuthenticator {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    @Inject(appConfig.KEY) config: AppConfig,
    private readonly provider: IdentityProvider,
  ) {
    this.allowedOrigins = new Set(
      config.ALLOWED_ORIGINS.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    );
  }

  /**
   * The identity behind an upgrade request, or throws (rejects with) `HandshakeRejection` (401 or 403), or
   * another error for a provider's fault. Synchronous when the provider answers synchronously, so that a
   * dev-mode upgrade is verified in one turn.
   */
  authenticate(request: IncomingMessage): Identity | Promise<Identity> {
    const origin = request.headers.origin;
    // Before the provider: a cookie or token the browser sends from another site must not open a socket.
    if (this.allowedOrigins.size > 0 && (!origin || !this.allowedOrigins.has(origin))) {
      throw new HandshakeRejection(403, 'origin not allowed');
    }
    const identity = this.provider.identify(request);
    return isThenable(identity) ? Promise.resolve(identity).then(usable) : usable(identity);
  }
}

/** The identity, its display name replaced by the user id when unusable (as for a JWT's `name`); throws when it has no usable user. */
function usable(identity: Identity): Identity {
  if (typeof identity !== 'object' || identity === null)
    throw new InvalidIdentityError('not an object');
  const { user } = identity;
  if (typeof user !== 'object' || user === null) throw new InvalidIdentityError('no user');
  if (typeof user.id !== 'string' || user.id.length === 0 || user.id.length > MAX_USER_ID_LENGTH)
    throw new InvalidIdentityError(
      `user.id must be a string of 1 to ${MAX_USER_ID_LENGTH} characters`,
    );
  for (const list of LISTS) {
    const value: unknown = identity[list];
    if (value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === 'string')))
      throw new InvalidIdentityError(`${list} must be a list of strings`);
  }
  if (typeof user.name === 'string' && DISPLAY_NAME.test(user.name)) return identity;
  return { ...identity, user: { id: user.id, name: user.id } };
}

function isThenable(value: unknown): value is PromiseLike<Identity> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
