import { pino } from 'pino';
import { InvalidConfigurationError } from '../config/app-config.js';

/** A failed `listen`, as Node reports it. */
interface ListenError extends Error {
  code: string;
  syscall: 'listen';
  address?: string;
  port?: number;
}

function isListenError(error: unknown): error is ListenError {
  return error instanceof Error && (error as Partial<ListenError>).syscall === 'listen';
}

/**
 * Reports why the process could not start as ONE JSON line at level fatal (pino's format, as every
 * other log line), naming every bad key or the busy port, and exits with 1: no stack trace for an
 * operator's mistake, the stack inside the line only for an unexpected error.
 */
export function exitOnBootFailure(error: unknown): never {
  // pino's default destination writes stdout synchronously, so the line is out before the exit.
  const logger = pino().child({ context: 'Bootstrap' });
  if (error instanceof InvalidConfigurationError) {
    logger.fatal(
      { keys: error.keys, problems: error.problems },
      `invalid configuration: ${error.keys.join(', ')}`,
    );
  } else if (isListenError(error)) {
    const where = { host: error.address, port: error.port, code: error.code };
    logger.fatal(
      where,
      error.code === 'EADDRINUSE'
        ? `port ${error.port} is already in use (${error.address}:${error.port}); set PORT or OPS_PORT to a free one`
        : `cannot listen on ${error.address}:${error.port}: ${error.code}`,
    );
  } else {
    logger.fatal(
      { err: error },
      `could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  process.exit(1);
}
