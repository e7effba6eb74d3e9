import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApi } from '@clinloop/api';
import { loadConfig } from '@clinloop/config';
import { InProcessStreamTransport } from '@clinloop/messaging';
import { createLogger, createMetricsRegistry } from '@clinloop/observability';
import { createAppDataSource } from '@clinloop/persistence';
import { CLINLOOP_VERSION } from '../version';

/** The GraphQL schema as the code defines it; builds the API without a database connection. */
export async function generateSchemaSdl(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clinloop-schema-'));
  const schemaFile = path.join(dir, 'schema.gql');
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const app = await createApi({
    config,
    dataSource: createAppDataSource('postgres://schema-only@127.0.0.1/none', config, 'schema'),
    transport: new InProcessStreamTransport(),
    logger: createLogger({ level: 'silent', component: 'schema' }),
    metrics: createMetricsRegistry('schema'),
    runtime: { version: CLINLOOP_VERSION, environment: 'test', database: 'external', stream: 'in-process', startedAt: new Date(0) },
    schemaFile,
  });
  try {
    // Nest's GraphQL module writes the file while the app initialises.
    return await readFile(schemaFile, 'utf8');
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the GraphQL schema (SDL), or write/check the committed apps/api/schema.gql')
    .option('--write <file>', 'write the schema to this file')
    .option('--check <file>', 'exit 1 if this file differs from the schema the code defines')
    .action(async (options: { write?: string; check?: string }) => {
      const sdl = await generateSchemaSdl();
      if (options.write) {
        await writeFile(options.write, sdl);
        process.stdout.write(`Wrote ${options.write}.\n`);
      } else if (options.check) {
        if ((await readFile(options.check, 'utf8')) !== sdl) {
          process.stderr.write(`${options.check} does not match the code: run npm run schema:gql and commit it\n`);
          process.exitCode = 1;
        }
      } else {
        process.stdout.write(sdl);
      }
    });
}
