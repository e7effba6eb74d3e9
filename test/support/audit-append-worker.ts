/**
 * A separate OS process that appends audit entries through the production API, for the
 * concurrency test: `node -r @swc-node/register test/support/audit-append-worker.ts <url> <label>
 * <transactions> <startAtEpochMs>`. Every transaction appends a batch of 1-5 entries whose
 * payload names the writer and the batch, so the test can check batches stayed contiguous.
 */
import 'reflect-metadata';
import { applicationRoleUrl, AuditService } from '@clinloop/audit';
import { withTransaction } from '@clinloop/database';
import { createAppDataSource } from '@clinloop/persistence';
import { sampleInputs } from './audit-fixtures';

async function main(): Promise<void> {
  const [url, label, transactionsText, startAtText] = process.argv.slice(2);
  if (!url || !label || !transactionsText || !startAtText) throw new Error('usage: audit-append-worker <url> <label> <transactions> <startAtEpochMs>');
  const dataSource = createAppDataSource(applicationRoleUrl(url), { databasePoolSize: 3 }, `audit-append-worker-${label}`);
  await dataSource.initialize();
  const audit = new AuditService();
  // Start together with the other writers, so their transactions really overlap.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAtText) - Date.now())));
  let appended = 0;
  try {
    const transactions = Number(transactionsText);
    await Promise.all(
      [0, 1, 2].map(async (lane) => {
        for (let batch = lane; batch < transactions; batch += 3) {
          const size = 1 + ((batch * 7 + label.length) % 5);
          const inputs = sampleInputs(size, label).map((input, index) => ({ ...input, payload: { writer: label, batch, index, size } }));
          await withTransaction(dataSource, (manager) => audit.append(manager, inputs));
          appended += size;
        }
      }),
    );
  } finally {
    await dataSource.destroy();
  }
  process.stdout.write(`${JSON.stringify({ label, appended })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
