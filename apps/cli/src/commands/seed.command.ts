import { Command } from 'commander';
import { loadConfig } from '@clinloop/config';
import { seedDemo } from '@clinloop/demo';
import { connect, migrate, openDatabase } from '../runtime/database-runtime';
import { cliLogger } from '../runtime/logger';

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('load data into the database (migrates first)')
    .requiredOption('--demo', 'the demo organization: clinicians, an auditor, an admin, patients, devices, regimens')
    .action(async () => {
      const config = loadConfig();
      const logger = cliLogger(config, 'cli');
      const database = await openDatabase(config, logger);
      const dataSource = await connect(database.url, config, 'clinloop-seed');
      try {
        await migrate(dataSource);
        const result = await seedDemo(dataSource, new Date());
        process.stdout.write(
          result.created
            ? `Seeded the demo organization (${result.counts.staff} staff, ${result.counts.patients} patients, ${result.counts.careTeams} care teams).\n`
            : 'The demo organization already exists; nothing changed.\n',
        );
      } finally {
        await dataSource.destroy();
        await database.stop();
      }
    });
}
