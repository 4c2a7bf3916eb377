import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ROOM_SCOPES } from '../config/server-api-keys.js';
import { ApiKeyRateLimiter } from '../engine/api-key-rate-limiter.js';
import { isBackendUnreachable } from '../engine/backend-unreachable.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { grantAllows, type ApiKeyGrant, ApiKeyTable } from './api-key-table.js';
import { ApiScope } from './api-scope.decorator.js';
import { ServerApiOff, ServerApiRefusal } from './server-api-refusal.js';

/** A request the guard let in, carrying the grant of its key. */
export interface AuthorizedRequest extends Request {
  apiKey: ApiKeyGrant;
}

/** One answer for a missing, malformed, unknown or revoked key, so that none can be told from another. */
const UNAUTHORIZED = 'a valid API key is required as Authorization: Bearer <key>';

/**
 * Every route of the server HTTP API, in order: off without keys (404), the bearer key (401), its rate
 * (429; 503 while Redis, which counts it across nodes, is unreachable), its scope for the route and, for a
 * room operation, the `:room` against its patterns (403).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyTable,
    private readonly limiter: ApiKeyRateLimiter,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (!this.keys.enabled) throw new ServerApiOff();
    const request = context.switchToHttp().getRequest<AuthorizedRequest>();
    const grant = this.keys.find(bearerOf(request.headers.authorization));
    if (!grant) throw new ServerApiRefusal('unauthorized', UNAUTHORIZED);
    const wait = this.limiter.take(grant.id);
    // In memory the token is taken synchronously, and the request does not wait for a later turn.
    if (typeof wait === 'number') return this.admit(context, request, grant, wait);
    return wait.then(
      (waitMs) => this.admit(context, request, grant, waitMs),
      (error: unknown) => {
        // Fail closed: a key whose rate cannot be counted is not let through.
        if (isBackendUnreachable(error))
          throw new ServerApiRefusal(
            ChatErrorCode.Unavailable,
            'the rate limit of API keys cannot be checked, retry later',
          );
        throw error;
      },
    );
  }

  /** The checks after the key's token: its rate (`waitMs` past 0 is a 429), its scope and room. */
  private admit(
    context: ExecutionContext,
    request: AuthorizedRequest,
    grant: ApiKeyGrant,
    waitMs: number,
  ): boolean {
    if (waitMs > 0)
      throw new ServerApiRefusal(
        ChatErrorCode.RateLimited,
        'this API key is over its request rate',
        waitMs,
      );
    const scope = this.reflector.get(ApiScope, context.getHandler());
    const room = ROOM_SCOPES.has(scope) ? String(request.params.room) : undefined;
    if (!grantAllows(grant, scope, room))
      throw new ServerApiRefusal(
        ChatErrorCode.Forbidden,
        room === undefined
          ? `this API key may not call ${scope}`
          : `this API key may not call ${scope} in this room`,
      );
    request.apiKey = grant;
    return true;
  }
}

/** The credentials of `Authorization: Bearer <key>` (the scheme case-insensitive, RFC 9110), else ''. */
function bearerOf(header: string | undefined): string {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  return match ? match[1] : '';
}
