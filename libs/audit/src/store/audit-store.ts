import { AuditEntry, EntryEncoding } from '../audit-entry';
import { SignedCheckpoint } from '../checkpoint';
import { ExportFilters } from '../export/export-records';
import { ChainHead } from '../hash-chain';
import { PerfectNode } from '../merkle-tree';

/**
 * The SQL of the audit tables, in one place. Takes anything with TypeORM's `query` (a DataSource, or
 * an EntityManager inside a transaction). Times are read as text with microseconds and hashes as
 * hex, so what the hash covers survives the trip exactly (a JavaScript Date would drop microseconds).
 */
export interface SqlExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

const MICROSECOND_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

const ENTRY_COLUMNS = `seq::text AS seq, to_char(recorded_at AT TIME ZONE 'UTC', ${MICROSECOND_UTC}) AS recorded_at,
  actor_type, actor_id, actor_role, actor_organization_id::text AS actor_organization_id, action, resource_type, resource_id,
  patient_id::text AS patient_id, outcome, reason, request_id, payload::text AS payload, encoding::text AS encoding,
  encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash`;

const CHECKPOINT_COLUMNS = `tree_size::text AS tree_size, encode(root_hash, 'hex') AS root_hash, last_seq::text AS last_seq,
  encode(last_entry_hash, 'hex') AS last_entry_hash, to_char(issued_at AT TIME ZONE 'UTC', ${MICROSECOND_UTC}) AS issued_at,
  key_id, encode(signature, 'base64') AS signature`;

type Row = Readonly<Record<string, unknown>>;

export async function queryRows(db: SqlExecutor, sql: string, parameters: unknown[] = []): Promise<Row[]> {
  const result = await db.query(sql, parameters);
  if (!Array.isArray(result)) return [];
  return (result as unknown[]).filter((row): row is Row => typeof row === 'object' && row !== null);
}

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new TypeError(`column ${column} is not text`);
  return value;
}

function nullableText(row: Row, column: string): string | null {
  const value = row[column];
  return value === null ? null : text(row, column);
}

function integer(row: Row, column: string): number {
  const value = Number(text(row, column));
  if (!Number.isSafeInteger(value)) throw new TypeError(`column ${column} is not a safe integer`);
  return value;
}

/**
 * A stored row as an entry. Values come back as stored; the verifier, not this function, decides
 * whether they are right (a superuser may have written anything).
 */
export function entryFromRow(row: Row): AuditEntry {
  return {
    seq: integer(row, 'seq'),
    recordedAt: text(row, 'recorded_at'),
    actorType: text(row, 'actor_type') as AuditEntry['actorType'],
    actorId: text(row, 'actor_id'),
    actorRole: nullableText(row, 'actor_role'),
    actorOrganizationId: nullableText(row, 'actor_organization_id'),
    action: text(row, 'action'),
    resourceType: text(row, 'resource_type'),
    resourceId: nullableText(row, 'resource_id'),
    patientId: nullableText(row, 'patient_id'),
    outcome: text(row, 'outcome') as AuditEntry['outcome'],
    reason: nullableText(row, 'reason'),
    requestId: nullableText(row, 'request_id'),
    payload: JSON.parse(text(row, 'payload')) as AuditEntry['payload'],
    // Not checked here: an encoding the hash functions do not know is reported by the verifier.
    encoding: integer(row, 'encoding') as EntryEncoding,
    prevHash: text(row, 'prev_hash'),
    hash: text(row, 'hash'),
  };
}

function checkpointFromRow(row: Row): SignedCheckpoint {
  return {
    treeSize: integer(row, 'tree_size'),
    rootHash: text(row, 'root_hash'),
    lastSeq: integer(row, 'last_seq'),
    lastEntryHash: text(row, 'last_entry_hash'),
    issuedAt: text(row, 'issued_at'),
    keyId: text(row, 'key_id'),
    signature: text(row, 'signature').replace(/\n/g, ''),
  };
}

/** The chain head, optionally locked until the end of the caller's transaction (the append lock). */
export async function readChainHead(db: SqlExecutor): Promise<ChainHead> {
  const [row] = await queryRows(db, `SELECT last_seq::text AS last_seq, encode(last_hash, 'hex') AS last_hash FROM audit_chain_head WHERE id = 1`);
  if (!row) throw new Error('audit_chain_head has no row: is the audit-trail migration applied?');
  return { lastSeq: integer(row, 'last_seq'), lastHash: text(row, 'last_hash') };
}

/**
 * Takes the append lock (the head row, FOR UPDATE) and reads the database clock after it is held,
 * so sequence numbers and times increase together across every process.
 */
export async function lockChainHead(db: SqlExecutor): Promise<ChainHead & { readonly now: string }> {
  const [row] = await queryRows(
    db,
    `WITH head AS (SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE)
     SELECT last_seq::text AS last_seq, encode(last_hash, 'hex') AS last_hash,
            to_char(clock_timestamp() AT TIME ZONE 'UTC', ${MICROSECOND_UTC}) AS now
     FROM head`,
  );
  if (!row) throw new Error('audit_chain_head has no row: is the audit-trail migration applied?');
  return { lastSeq: integer(row, 'last_seq'), lastHash: text(row, 'last_hash'), now: text(row, 'now') };
}

/**
 * Inserts a batch and moves the head in one statement. The rows arrive as parallel arrays through
 * unnest(), so a batch of a thousand entries is one round trip.
 */
export async function insertEntries(db: SqlExecutor, entries: readonly AuditEntry[], payloads: readonly string[]): Promise<void> {
  const last = entries[entries.length - 1];
  if (!last) return;
  const column = <T>(pick: (entry: AuditEntry) => T): T[] => entries.map(pick);
  await db.query(
    `WITH inserted AS (
       INSERT INTO audit_entries (seq, recorded_at, actor_type, actor_id, actor_role, actor_organization_id, action, resource_type,
                                  resource_id, patient_id, outcome, reason, request_id, payload, encoding, prev_hash, hash)
       SELECT e.seq, e.recorded_at, e.actor_type, e.actor_id, e.actor_role, e.actor_organization_id, e.action, e.resource_type,
              e.resource_id, e.patient_id, e.outcome, e.reason, e.request_id, e.payload, e.encoding, decode(e.prev_hash, 'hex'), decode(e.hash, 'hex')
       FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[],
                   $9::text[], $10::uuid[], $11::text[], $12::text[], $13::text[], $14::jsonb[], $19::smallint[], $15::text[], $16::text[])
         AS e(seq, recorded_at, actor_type, actor_id, actor_role, actor_organization_id, action, resource_type,
              resource_id, patient_id, outcome, reason, request_id, payload, encoding, prev_hash, hash)
       RETURNING 1
     )
     UPDATE audit_chain_head SET last_seq = $17, last_hash = decode($18, 'hex') WHERE id = 1`,
    [
      column((e) => e.seq),
      column((e) => e.recordedAt),
      column((e) => e.actorType),
      column((e) => e.actorId),
      column((e) => e.actorRole),
      column((e) => e.actorOrganizationId),
      column((e) => e.action),
      column((e) => e.resourceType),
      column((e) => e.resourceId),
      column((e) => e.patientId),
      column((e) => e.outcome),
      column((e) => e.reason),
      column((e) => e.requestId),
      payloads,
      column((e) => e.prevHash),
      column((e) => e.hash),
      last.seq,
      last.hash,
      column((e) => e.encoding),
    ],
  );
}

export interface EntryPage {
  /** Entries with seq greater than this. */
  readonly afterSeq: number;
  /** And at most this. */
  readonly upToSeq: number;
  readonly limit: number;
  readonly filters?: ExportFilters;
}

/** One page of entries in sequence order (keyset pagination: no long-lived cursor or transaction). */
export async function readEntryPage(db: SqlExecutor, page: EntryPage): Promise<AuditEntry[]> {
  const conditions = ['seq > $1', 'seq <= $2'];
  const parameters: unknown[] = [page.afterSeq, page.upToSeq];
  const add = (condition: string, value: string | null | undefined): void => {
    if (value === null || value === undefined) return;
    parameters.push(value);
    conditions.push(condition.replaceAll('?', `$${parameters.length}`));
  };
  add('recorded_at >= ?::timestamptz', page.filters?.from);
  add('recorded_at < ?::timestamptz', page.filters?.to);
  add('patient_id = ?::uuid', page.filters?.patientId);
  add('actor_id = ?', page.filters?.actorId);
  add('action = ?', page.filters?.action);
  // An organization's entries: written by its people or components, or about its patients.
  add('(actor_organization_id = ?::uuid OR patient_id IN (SELECT patients.id FROM patients WHERE patients.organization_id = ?::uuid))', page.filters?.organizationId);
  parameters.push(page.limit);
  const rows = await queryRows(db, `SELECT ${ENTRY_COLUMNS} FROM audit_entries WHERE ${conditions.join(' AND ')} ORDER BY audit_entries.seq LIMIT $${parameters.length}`, parameters);
  return rows.map(entryFromRow);
}

/** Streams entries page by page; memory holds one page. */
export async function* streamEntries(db: SqlExecutor, range: Omit<EntryPage, 'limit'> & { readonly pageSize?: number }): AsyncGenerator<AuditEntry[]> {
  let afterSeq = range.afterSeq;
  for (;;) {
    const page = await readEntryPage(db, { ...range, afterSeq, limit: range.pageSize ?? 2000 });
    const last = page[page.length - 1];
    if (!last) return;
    yield page;
    afterSeq = last.seq;
  }
}

export async function latestCheckpoint(db: SqlExecutor): Promise<SignedCheckpoint | null> {
  const [row] = await queryRows(db, `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY audit_checkpoints.tree_size DESC LIMIT 1`);
  return row ? checkpointFromRow(row) : null;
}

export async function readCheckpointPage(db: SqlExecutor, afterSize: number, limit: number): Promise<SignedCheckpoint[]> {
  const rows = await queryRows(db, `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE tree_size > $1 ORDER BY audit_checkpoints.tree_size LIMIT $2`, [afterSize, limit]);
  return rows.map(checkpointFromRow);
}

export async function insertCheckpoint(db: SqlExecutor, checkpoint: SignedCheckpoint): Promise<void> {
  await db.query(
    `INSERT INTO audit_checkpoints (tree_size, root_hash, last_seq, last_entry_hash, issued_at, key_id, signature)
     VALUES ($1, decode($2, 'hex'), $3, decode($4, 'hex'), $5::timestamptz, $6, decode($7, 'base64'))`,
    [checkpoint.treeSize, checkpoint.rootHash, checkpoint.lastSeq, checkpoint.lastEntryHash, checkpoint.issuedAt, checkpoint.keyId, checkpoint.signature],
  );
}

export interface StoredNode extends PerfectNode {
  readonly hash: Buffer;
}

export async function insertMerkleNodes(db: SqlExecutor, nodes: readonly StoredNode[]): Promise<void> {
  if (nodes.length === 0) return;
  await db.query(`INSERT INTO audit_merkle_nodes (level, idx, hash) SELECT l, i, decode(h, 'hex') FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS n(l, i, h)`, [
    nodes.map((node) => node.level),
    nodes.map((node) => node.index),
    nodes.map((node) => node.hash.toString('hex')),
  ]);
}

/** Complete subtrees by (level, index): leaves (level 0) are the entry hashes themselves, inner ones come from the node table. */
export async function readPerfectNodes(db: SqlExecutor, nodes: readonly PerfectNode[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const leaves = nodes.filter((node) => node.level === 0);
  const inner = nodes.filter((node) => node.level > 0);
  if (leaves.length > 0) {
    const rows = await queryRows(db, `SELECT seq::text AS seq, encode(hash, 'hex') AS hash FROM audit_entries WHERE seq = ANY($1::bigint[])`, [leaves.map((node) => node.index + 1)]);
    for (const row of rows) found.set(nodeKey(0, integer(row, 'seq') - 1), Buffer.from(text(row, 'hash'), 'hex'));
  }
  if (inner.length > 0) {
    const rows = await queryRows(
      db,
      `SELECT n.level::text AS level, n.idx::text AS idx, encode(n.hash, 'hex') AS hash
       FROM audit_merkle_nodes n JOIN unnest($1::smallint[], $2::bigint[]) AS wanted(level, idx) ON n.level = wanted.level AND n.idx = wanted.idx`,
      [inner.map((node) => node.level), inner.map((node) => node.index)],
    );
    for (const row of rows) found.set(nodeKey(integer(row, 'level'), integer(row, 'idx')), Buffer.from(text(row, 'hash'), 'hex'));
  }
  return found;
}

export function nodeKey(level: number, index: number): string {
  return `${level}:${index}`;
}
