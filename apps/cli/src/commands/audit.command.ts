import { createWriteStream } from 'node:fs';
import { endWithFinding } from './command-outcome';
import { Command } from 'commander';
import {
  auditFileLocations,
  AuditError,
  AuditErrorCode,
  AuditSigner,
  CheckpointPublisher,
  CheckpointService,
  describeVerification,
  EXPORT_FORMATS,
  ExportFormat,
  exportFromDatabase,
  isUnfiltered,
  loadSigningKey,
  parseExportFilters,
  readPublicKeyFile,
  readTrustedCheckpoints,
  SignedCheckpoint,
  StreamCheckpointPublisher,
  toAuditTimestamp,
  VerificationResult,
  verifyDatabase,
  verifyExportFile,
  writeExport,
} from '@clinloop/audit';
import { AppConfig, loadConfig } from '@clinloop/config';
import { KafkaStreamTransport, Topics } from '@clinloop/messaging';
import { DataSource } from 'typeorm';
import { connect, openDatabase } from '../runtime/database-runtime';
import { cliLogger } from '../runtime/logger';

/** Exit code of a verification that found the trail broken (usage errors keep commander's own). */
const VERIFICATION_FAILED_EXIT_CODE = 1;

interface ExportOptions {
  format: string;
  out: string;
  from?: string;
  to?: string;
  patient?: string;
  actor?: string;
  action?: string;
  organization?: string;
  trusted?: string;
}

interface VerifyOptions {
  db?: boolean;
  trusted?: string;
  publicKey?: string;
}

/** `clinloop audit export | verify | checkpoint`; the logic lives in @clinloop/audit. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit trail: signed checkpoints, exports, verification');

  audit
    .command('export')
    .description('write the trail to a file, covered by a fresh signed checkpoint (streams; any size)')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .requiredOption('--out <file>', 'file to write')
    .option('--from <time>', 'only entries recorded at or after this ISO 8601 date or time (UTC unless a zone is given)')
    .option('--to <time>', 'only entries recorded before this time')
    .option('--patient <uuid>', "only entries about this patient's data")
    .option('--actor <id>', 'only entries by this user id or system component')
    .option('--action <action>', 'only entries of this action, e.g. patient.read')
    .option('--organization <uuid>', "only entries by this organization's users and components, or about its patients")
    .option('--trusted <checkpoints>', 'checkpoint file the auditor holds: a filtered export carries consistency proofs from each')
    .action(async (options: ExportOptions, command: Command) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) command.error(`error: --format must be one of ${EXPORT_FORMATS.join(', ')}`);
      const format = options.format as ExportFormat;
      const filters = parseExportFilters(options);
      await withAuditRuntime(async (runtime) => {
        const { dataSource, say } = runtime;
        const { signer, checkpoints } = await openCheckpointing(runtime);
        const checkpoint = await coveringCheckpoint(checkpoints, say);
        const trusted = options.trusted ? await readTrustedCheckpoints(options.trusted, signer.publicKey) : [];
        const records = exportFromDatabase(dataSource, { filters, checkpoint, trusted, signer, exportedAt: toAuditTimestamp(new Date()) });
        const { entries } = await writeExport(records, format, createWriteStream(options.out, { encoding: 'utf8' }));
        say(`Exported ${entries} entries (${isUnfiltered(filters) ? 'full' : 'filtered'}) covered by checkpoint ${checkpoint.treeSize} (key ${checkpoint.keyId}) to ${options.out}\n`);
      }, command);
    });

  audit
    .command('verify')
    .description('verify an export offline with only the public key, or the live table with --db; exit 0 when intact')
    .argument('[file]', 'export file (JSON Lines, CSV or FHIR, as written by audit export)')
    .option('--db', 'verify the live audit table instead of a file')
    .option('--trusted <checkpoints>', 'checkpoint file kept from earlier: prove the trail extends it (catches a rewritten, re-signed history)')
    .option('--public-key <file>', 'Ed25519 public key (PEM) of the audit signing key; default: the configured key\'s .pub')
    .action(async (file: string | undefined, options: VerifyOptions, command: Command) => {
      if (Boolean(file) === Boolean(options.db)) command.error('error: give either an export file or --db');
      const config = loadConfig();
      const publicKey = await readPublicKeyFile(options.publicKey ?? auditFileLocations(config).publicKeyFile);
      const trusted = options.trusted ? await readTrustedCheckpoints(options.trusted, publicKey) : [];
      let result: VerificationResult;
      if (file) {
        result = await verifyExportFile(file, { publicKey, trusted });
      } else {
        result = await withAuditRuntime(({ dataSource }) => verifyDatabase(dataSource, { publicKey, trusted }), command, config);
      }
      reportVerification(command, result);
    });

  audit
    .command('checkpoint')
    .description('sign a checkpoint over every entry now, store it, append it to the checkpoint file and publish it')
    .action(async (_options: unknown, command: Command) => {
      await withAuditRuntime(async (runtime) => {
        const { checkpoints } = await openCheckpointing(runtime);
        const { say } = runtime;
        const { checkpoint, created } = await checkpoints.createCheckpoint();
        say(
          created
            ? `Signed checkpoint ${checkpoint.treeSize} (root ${checkpoint.rootHash}, key ${checkpoint.keyId}) and published it.\n`
            : `Checkpoint ${checkpoint.treeSize} already covers every entry; nothing new to sign.\n`,
        );
      }, command);
    });
}

export function reportVerification(command: Command, result: VerificationResult): void {
  if (!result.ok) endWithFinding(command, describeVerification(result), { exitCode: VERIFICATION_FAILED_EXIT_CODE, code: 'clinloop.auditVerificationFailed' });
  write(command, `${describeVerification(result)}\n`);
}

interface AuditRuntime {
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly say: (text: string) => void;
  readonly onClose: (close: () => Promise<void>) => void;
}

/** Opens the database (DATABASE_URL or the embedded one) for the duration of `work`. */
async function withAuditRuntime<T>(work: (runtime: AuditRuntime) => Promise<T>, command: Command, config = loadConfig()): Promise<T> {
  const database = await openDatabase(config, cliLogger(config, 'cli'));
  const closers: (() => Promise<void>)[] = [];
  try {
    const dataSource = await connect(database.url, config, 'clinloop-audit');
    closers.push(() => dataSource.destroy());
    return await work({ config, dataSource, say: (text) => write(command, text), onClose: (close) => closers.push(close) });
  } finally {
    for (const close of closers.reverse()) await close();
    await database.stop();
  }
}

/** The signing key (a development key is generated outside production), and a checkpoint service publishing to the file and Kafka. */
async function openCheckpointing(runtime: AuditRuntime): Promise<{ signer: AuditSigner; checkpoints: CheckpointService }> {
  const { config, dataSource, say } = runtime;
  const key = await loadSigningKey({ keyFile: config.auditSigningKeyFile, dataDir: config.dataDir, allowGenerate: config.nodeEnv !== 'production' });
  if (key.generated) say(`Generated a development audit signing key in ${key.keyFile}; give auditors ${key.publicKeyFile}.\n`);
  const publisher = await kafkaPublisher(config);
  if (publisher) runtime.onClose(publisher.close);
  return {
    signer: key.signer,
    checkpoints: new CheckpointService({ dataSource, signer: key.signer, checkpointFile: auditFileLocations(config).checkpointFile, publisher: publisher?.publisher ?? null }),
  };
}

/** Checkpoints go to Kafka only when there is a broker: the in-process transport would keep them nowhere. */
async function kafkaPublisher(config: AppConfig): Promise<{ publisher: CheckpointPublisher; close: () => Promise<void> } | null> {
  if (config.kafkaBrokers.length === 0) return null;
  const transport = new KafkaStreamTransport({ brokers: config.kafkaBrokers, clientId: `${config.kafkaClientId}-audit` });
  await transport.ensureTopics([{ topic: Topics.auditCheckpoints.name, partitions: Topics.auditCheckpoints.partitions }]);
  return { publisher: new StreamCheckpointPublisher(transport), close: () => transport.close() };
}

/** A fresh checkpoint to cover the export; if it was stored but not published, the export goes ahead and says so. */
async function coveringCheckpoint(checkpoints: CheckpointService, say: (text: string) => void): Promise<SignedCheckpoint> {
  try {
    return (await checkpoints.createCheckpoint()).checkpoint;
  } catch (error) {
    if (!(error instanceof AuditError && error.code === AuditErrorCode.CHECKPOINT_PUBLISH_FAILED)) throw error;
    say(`warning: ${error.message}\n`);
    const latest = await checkpoints.latest();
    if (!latest) throw error;
    return latest;
  }
}

function write(command: Command, text: string): void {
  const output = command.configureOutput();
  if (output.writeOut) output.writeOut(text);
  else process.stdout.write(text);
}
