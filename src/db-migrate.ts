import { pino } from 'pino';
import { parseEnvironment } from './config/app-config.js';
import { databaseTarget } from './config/database-target.js';
import { migrateToLatest } from './engine/database/database-migrations.js';
import { openDatabase } from './engine/database/open-database.js';
import { exitOnBootFailure } from './process/boot-failure.js';

/**
 * `npm run db:migrate` (or `node dist/db-migrate.js`): brings the database DATABASE_URL names to the
 * latest schema with the migrations the server runs at startup, logs what it applied and exits.
 */
const logger = pino().child({ context: 'Migrate' });
try {
  const config = parseEnvironment(process.env);
  const target = databaseTarget(config);
  if (target.kind === 'memory') {
    logger.info('DATABASE_URL names no database (memory): nothing to migrate');
  } else {
    const database = openDatabase(target, {
      poolSize: 1,
      onIdleError: (error) => logger.warn({ err: error }, 'idle connection failed'),
    });
    try {
      const applied = await migrateToLatest(database.db, await database.migrationSchema());
      logger.info(
        { dialect: database.dialect, applied },
        applied.length > 0 ? `migrated: ${applied.join(', ')}` : 'already at the latest schema',
      );
    } finally {
      await database.close();
    }
  }
} catch (error) {
  exitOnBootFailure(error);
}
