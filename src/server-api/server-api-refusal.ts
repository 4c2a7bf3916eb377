import type { ProblemCode } from './problem-details.js';

/** A refusal of the HTTP layer itself (auth, scope, rate, body), sent as a problem by `ProblemDetailsFilter`. */
export class ServerApiRefusal extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    /** For `rate_limited`: milliseconds until the key has a token again. */
    readonly retryAfterMs?: number,
  ) {
    super(detail);
    this.name = 'ServerApiRefusal';
  }
}

/** Thrown for every route while no key is configured: the filter answers as for a route that does not exist. */
export class ServerApiOff extends Error {
  constructor() {
    super('the server HTTP API is off: SERVER_API_KEYS is empty');
    this.name = 'ServerApiOff';
  }
}
