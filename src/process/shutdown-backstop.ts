import { Logger } from '@nestjs/common';

/** Time Nest's own teardown (engine connections, HTTP server) may take past SHUTDOWN_TIMEOUT_MS. */
const SHUTDOWN_BACKSTOP_MARGIN_MS = 2000;

/**
 * On SIGTERM or SIGINT, arms a timer that ends the process with 1 should the graceful shutdown
 * (bounded by SHUTDOWN_TIMEOUT_MS) still hang on something no deadline covers, such as a backend that
 * never answers its close; unref'd, so a shutdown that finishes exits as usual.
 */
export function armShutdownBackstop(shutdownTimeoutMs: number): void {
  const arm = (signal: NodeJS.Signals) => {
    setTimeout(() => {
      new Logger('Shutdown').fatal(
        `shutdown on ${signal} did not finish within ${shutdownTimeoutMs + SHUTDOWN_BACKSTOP_MARGIN_MS} ms; exiting`,
      );
      process.exit(1);
    }, shutdownTimeoutMs + SHUTDOWN_BACKSTOP_MARGIN_MS).unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}
