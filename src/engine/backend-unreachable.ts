import type { Logger } from '@nestjs/common';
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
} from 'redis';

const OUTAGE_ERRORS = [
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
]);

/**
 * Whether an error only says that the engine's backend (Redis) cannot be reached: an outage, which
 * `RedisConnection` logs once when it starts and once when it ends, so that the operations it fails
 * meanwhile log at debug rather than each on its own.
 */
export function isBackendUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (OUTAGE_ERRORS.some((type) => error instanceof type)) return true;
  return OUTAGE_CODES.has((error as NodeJS.ErrnoException).code ?? '');
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
