import { Command } from 'commander';
import { loadConfig } from '@clinloop/config';
import { seedDemo, seedDemoReadings } from '@clinloop/demo';
import { connect, migrate, openDatabase } from '../runtime/database-runtime';
import { cliLogger } from '../runtime/logger';
import { totpCipherFor } from '../runtime/totp-cipher-runtime';

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('load data into the database (migrates first)')
    .requiredOption(
      '--demo',
      'the demo organization (clinicians, an auditor, an admin, patients, devices, regimens) and 30 days of readings through the ingest path',
    )
    .action(async () => {
      const config = loadConfig();
      const logger = cliLogger(config, 'cli');
      const database = await openDatabase(config, logger);
      const dataSource = await connect(database.url, config, 'clinloop-seed');
      try {
        await migrate(dataSource);
        const now = new Date();
        const result = await seedDemo(dataSource, now, { totpCipher: await totpCipherFor(config, logger) });
        process.stdout.write(
          result.created
            ? `Seeded the demo organization (${result.counts.staff} staff, ${result.counts.patients} patients, ${result.counts.careTeams} care teams).\n`
            : 'The demo organization already exists; nothing changed.\n',
        );
        const readings = await seedDemoReadings(dataSource, {
          now,
          policy: { futureSkewMs: config.ingestFutureSkewSeconds * 1000, lateAfterMs: config.ingestLateAfterMinutes * 60_000 },
        });
        process.stdout.write(
          `Demo readings for ${readings.patients} patients: ${readings.stored} stored, ${readings.duplicates} already there` +
            (readings.rejected > 0 ? `, ${readings.rejected} refused.\n` : '.\n'),
        );
      } finally {
        await dataSource.destroy();
        await database.stop();
      }
    });
}
