import { Command } from 'commander';
import { loadConfig } from '@clinloop/config';
import { connect, migrate, openDatabase } from '../runtime/database-runtime';
import { cliLogger } from '../runtime/logger';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (DATABASE_URL, else the embedded PostgreSQL)')
    .action(async () => {
      const config = loadConfig();
      const logger = cliLogger(config, 'cli');
      const database = await openDatabase(config, logger);
      const dataSource = await connect(database.url, config, 'clinloop-migrate');
      try {
        const applied = await migrate(dataSource);
        process.stdout.write(applied.length === 0 ? 'Database schema is up to date.\n' : `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`);
      } finally {
        await dataSource.destroy();
        await database.stop();
      }
    });
}
