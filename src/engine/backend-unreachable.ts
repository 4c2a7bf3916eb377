import type { Logger } from '@nestjs/common';
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
} from 'redis';

/** Raised by the engine itself while its backend is known to be out (a database not yet reached at boot). */
export class BackendUnavailableError extends Error {}

const OUTAGE_ERRORS = [
  BackendUnavailableError,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
];
const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  // PostgreSQL: the server shuts down or refuses connections for now (class 57P), or the connection failed (class 08).
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
/** What node-postgres says, with no code, when a connection is cut or cannot be made in time. */
const OUTAGE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * Whether an error only says that the engine's backend (Redis, the database) cannot be reached: an
 * outage, which `RedisConnection` and `DatabaseConnection` log once when it starts and once when it
 * ends, so that the operations it fails meanwhile log at debug rather than each on its own.
 */
export function isBackendUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (OUTAGE_ERRORS.some((type) => error instanceof type)) return true;
  if (OUTAGE_CODES.has(String((error as NodeJS.ErrnoException).code ?? ''))) return true;
  // A refused connection to a host with several addresses comes as an AggregateError of them.
  if (error instanceof AggregateError) return error.errors.some(isBackendUnreachable);
  return OUTAGE_MESSAGE.test(error.message);
}

/**
 * Logs an operation that failed: at `level`, or only at debug when it failed because the backend is
 * unreachable, so that an outage is one line (the connection's), not one per operation.
 */
export function logFailure(
  logger: Logger,
  level: 'warn' | 'error',
  message: string,
  error: unknown,
): void {
  const line = `${message}: ${error instanceof Error ? error.message : String(error)}`;
  if (isBackendUnreachable(error)) logger.debug(line);
  else if (level === 'error') logger.error(line, error instanceof Error ? error.stack : undefined);
  else logger.warn(line);
}
