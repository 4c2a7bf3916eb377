import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kysely } from 'kysely';
import { appConfig, type AppConfig } from '../../config/app-config.js';
import { logFailure } from '../backend-unreachable.js';
import { DatabaseConnection } from './database-connection.js';
import type { DatabaseSchema } from './database-schema.js';

/** Entries one purge statement deletes at most: each statement is short, whatever the backlog. */
export const PURGE_BATCH_ROWS = 1000;
/** Pause between two purge statements, so that the write queue's batches and reads interleave. */
const PURGE_PAUSE_MS = 50;
const DAY_MS = 86_400_000;

/**
 * HISTORY_RETENTION_DAYS: every HISTORY_PURGE_INTERVAL_MS, deletes the log entries (messages, edits,
 * deletions) older than the retention, PURGE_BATCH_ROWS per statement (each its own short transaction,
 * through the `ts` index) with a pause between, driven by timers, so it never holds the database for
 * long. Every node purges: the statements are idempotent, so nodes purging at once only repeat work. Idle
 * without a database or with a retention of 0 (keep forever).
 */
@Injectable()
export class HistoryRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HistoryRetention.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly connection: DatabaseConnection,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.connection.enabled || this.config.HISTORY_RETENTION_DAYS <= 0) return;
    this.schedule(this.config.HISTORY_PURGE_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Deletes every entry older than the retention now, batch by batch; resolves with how many went. */
  async purge(now = Date.now()): Promise<number> {
    const cutoff = now - this.config.HISTORY_RETENTION_DAYS * DAY_MS;
    let purged = 0;
    while (!this.stopped) {
      const deleted = await this.connection.track(({ db }) => deleteOlderThan(db, cutoff));
      purged += deleted;
      if (deleted < PURGE_BATCH_ROWS) break;
      await new Promise((resolve) => setTimeout(resolve, PURGE_PAUSE_MS));
    }
    return purged;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.purge()
        .then((purged) => {
          if (purged > 0) this.logger.log(`purged ${purged} history entries past the retention`);
        })
        .catch((error: unknown) => logFailure(this.logger, 'warn', 'history purge failed', error))
        .finally(() => this.schedule(this.config.HISTORY_PURGE_INTERVAL_MS));
    }, delay).unref();
  }
}

/** One statement: deletes up to PURGE_BATCH_ROWS entries stored before `cutoff`; resolves with how many. */
async function deleteOlderThan(db: Kysely<DatabaseSchema>, cutoff: number): Promise<number> {
  const result = await db
    .deleteFrom('messages')
    .where((eb) =>
      eb(
        eb.refTuple('conversation', 'seq'),
        'in',
        eb
          .selectFrom('messages')
          .select(['conversation', 'seq'])
          .where('ts', '<', cutoff)
          .limit(PURGE_BATCH_ROWS)
          .$asTuple('conversation', 'seq'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
