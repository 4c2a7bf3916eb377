import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { databaseTarget, type DatabaseTarget } from '../../config/database-target.js';
import { BackendUnavailableError, isBackendUnreachable } from '../backend-unreachable.js';
import { reconnectDelay } from '../reconnect-delay.js';
import type { Database } from './database.js';
import { migrateToLatest } from './database-migrations.js';
import { openDatabase } from './open-database.js';

/**
 * The database DATABASE_URL names, opened and migrated to the latest schema at startup (before the app
 * listens); idle when there is none (`memory`). A database that cannot be reached at boot does not stop
 * it: the node comes up not ready and migrates once the database answers. An outage is logged on change
 * of state only, once (error) when the database becomes unreachable and once (info) when it answers
 * again, whatever the number of operations that failed between (they log at debug).
 */
@Injectable()
export class DatabaseConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private readonly target: DatabaseTarget;
  private opened: Database | undefined;
  private migrated = false;
  /** Whether the database was last known reachable; undefined until the first operation settles. */
  private reachable: boolean | undefined;
  private unreachableSince = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {
    this.target = databaseTarget(config);
  }

  /** Whether DATABASE_URL names a database (not `memory`). */
  get enabled(): boolean {
    return this.target.kind !== 'memory';
  }

  /** The open, migrated database; throws an outage error while it has not been reached yet. */
  get database(): Database {
    if (!this.opened || !this.migrated) {
      throw new BackendUnavailableError('the database has not been reached yet');
    }
    return this.opened;
  }

  async onModuleInit(): Promise<void> {
    if (this.target.kind === 'memory') return;
    this.opened = openDatabase(this.target, {
      poolSize: this.config.DATABASE_POOL_SIZE,
      onIdleError: (error) => this.markUnreachable(error),
    });
    await this.migrate(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    await this.opened?.close();
  }

  /**
   * Runs one operation on the database, noting whether it reached it: the first failure of an outage
   * logs the outage, the first success after it logs its end.
   */
  async track<T>(operation: (database: Database) => Promise<T>): Promise<T> {
    try {
      const result = await operation(this.database);
      this.markReachable();
      return result;
    } catch (error) {
      if (isBackendUnreachable(error)) this.markUnreachable(error);
      throw error;
    }
  }

  /** Migrates; while the database is unreachable, tries again with backoff instead of failing the boot. */
  private async migrate(attempt: number): Promise<void> {
    const database = this.opened!;
    try {
      const applied = await migrateToLatest(database.db, await database.migrationSchema());
      this.migrated = true;
      this.markReachable();
      if (applied.length > 0) this.logger.log(`migrated: ${applied.join(', ')}`);
    } catch (error) {
      if (!isBackendUnreachable(error)) throw error;
      this.markUnreachable(error);
      if (this.closing) return;
      this.retryTimer = setTimeout(
        () => {
          this.migrate(attempt + 1).catch((failure: unknown) =>
            this.logger.error(
              `migration failed: ${failure instanceof Error ? failure.message : String(failure)}`,
              failure instanceof Error ? failure.stack : undefined,
            ),
          );
        },
        reconnectDelay(Math.min(attempt, 5)),
      ).unref();
    }
  }

  private markUnreachable(error: unknown): void {
    if (this.reachable === false) return;
    this.reachable = false;
    this.unreachableSince = Date.now();
    this.logger.error(
      `Database unreachable: ${reasonOf(error)}; sends get unavailable until it is back`,
    );
  }

  private markReachable(): void {
    if (this.reachable === true) return;
    const wasDown = this.reachable === false;
    this.reachable = true;
    this.logger.log(
      wasDown
        ? `Database reachable again after ${((Date.now() - this.unreachableSince) / 1000).toFixed(1)} s`
        : `Database connected (${this.opened?.dialect})`,
    );
  }
}

/** What went wrong, in words: a refused connection to several addresses says it in its first error. */
function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && !error.message && error.errors.length > 0)
    return reasonOf(error.errors[0]);
  return error instanceof Error ? error.message : String(error);
}
