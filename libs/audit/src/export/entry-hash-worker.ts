import { hash } from 'node:crypto';
import { MessagePort, Worker } from 'node:worker_threads';
import { entryHashPrefixV2 } from '../entry-encoding-v2';
import { AuditError, AuditErrorCode } from '../errors';
import { VerificationFailure } from '../verification';
import { entryTextMismatch } from './export-verifier';
import { FULL_ENTRY_LINE } from './jsonl-format';

/**
 * A second thread for the entry hashes of a full JSON Lines export. Each entry line carries its
 * recorded hash and its prevHash, so whether its text hashes to its recorded hash does not depend
 * on any other line: the main thread checks everything else in order (frame, seq, link to the
 * previous recorded hash, Merkle root, checkpoints) on the recorded hashes, and hands the lines to
 * this worker, which says for each batch which line, if any, is the first whose text does not hash
 * to its recorded hash. The export verifier then reports that line as it would have had it hashed
 * the line itself (`ExportVerifier.acceptNextEntryLine` with 'deferred').
 */

/** Where an entry line's parts are: see FULL_ENTRY_LINE (the worker cannot import it). */
interface WorkerSetup {
  /** `0x00 || tag`, hashed before the entry text. */
  readonly prefix: Uint8Array;
  readonly hashAt: number;
  readonly entryAt: number;
}

interface HashBatch {
  readonly id: number;
  readonly bytes: Uint8Array;
  /** Start and end of each line to check, in pairs. */
  readonly lines: Int32Array;
}

interface HashVerdict {
  readonly id: number;
  /** Index of the first line whose text does not hash to its recorded hash, or -1. */
  readonly firstMismatch: number;
}

/** The worker's first message: it is running and takes batches. */
interface WorkerReady {
  readonly ready: true;
}

/**
 * The worker's whole program. It is sent to the worker as source text (`toString`), because a worker
 * thread cannot load the project's TypeScript without starting @swc-node/register again, which takes
 * longer than verifying a large export. So it may use only its parameters and globals (no imports,
 * no helpers from this file), and stays small: it is type-checked and linted here like any code.
 * For each line: SHA-256(prefix || entry text) must be the 64 lowercase hex digits of its frame.
 * The batch's bytes are the worker's own, so the prefix is written over the frame just before the
 * text and the text hashed where it stands (the overwritten bytes are put back before the digits
 * are compared), instead of copying every text after a prefix.
 */
function entryHashWorkerMain(port: MessagePort, sha256: typeof hash, { prefix, hashAt, entryAt }: WorkerSetup): void {
  const LOWER_HEX = '0123456789abcdef';
  const saved = new Uint8Array(prefix.length);
  port.on('message', (batch: HashBatch) => {
    const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
    const lines = batch.lines;
    let firstMismatch = -1;
    for (let line = 0; 2 * line < lines.length && firstMismatch < 0; line++) {
      const start = lines[2 * line] ?? 0;
      const hashedFrom = start + entryAt - prefix.length;
      for (let index = 0; index < prefix.length; index++) {
        saved[index] = bytes[hashedFrom + index] ?? 0;
        bytes[hashedFrom + index] = prefix[index] ?? 0;
      }
      const computed = sha256('sha256', bytes.subarray(hashedFrom, (lines[2 * line + 1] ?? 0) - 1), 'binary');
      for (let index = 0; index < prefix.length; index++) bytes[hashedFrom + index] = saved[index] ?? 0;
      for (let index = 0, at = start + hashAt; index < 32; index++, at += 2) {
        const byte = computed.charCodeAt(index);
        if (bytes[at] !== LOWER_HEX.charCodeAt(byte >>> 4) || bytes[at + 1] !== LOWER_HEX.charCodeAt(byte & 0x0f)) {
          firstMismatch = line;
          break;
        }
      }
    }
    const verdict: HashVerdict = { id: batch.id, firstMismatch };
    port.postMessage(verdict);
  });
  const ready: WorkerReady = { ready: true };
  port.postMessage(ready);
}

const WORKER_SOURCE = `const { parentPort, workerData } = require('node:worker_threads');
(${entryHashWorkerMain.toString()})(parentPort, require('node:crypto').hash, workerData);`;

/** The lines of one batch of bytes whose hashes the main thread deferred, and how to name each. */
export class DeferredLines {
  /** Start and end of each line, in pairs: what the worker is sent. */
  readonly ranges: Int32Array;
  private readonly seqs: Float64Array;
  private readonly lineNumbers: Float64Array;
  private count = 0;

  /** For at most `capacity` lines (a batch's line count). */
  constructor(capacity: number) {
    this.ranges = new Int32Array(2 * capacity);
    this.seqs = new Float64Array(capacity);
    this.lineNumbers = new Float64Array(capacity);
  }

  add(start: number, end: number, seq: number, lineNumber: number): void {
    this.ranges[2 * this.count] = start;
    this.ranges[2 * this.count + 1] = end;
    this.seqs[this.count] = seq;
    this.lineNumbers[this.count] = lineNumber;
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** What the verifier reports when the line at `index` does not hash to its recorded hash. */
  mismatchAt(index: number): VerificationFailure {
    return entryTextMismatch(`line ${this.lineNumbers[index] ?? '?'}`, this.seqs[index] ?? 0);
  }
}

interface PendingBatch {
  readonly id: number;
  readonly lines: DeferredLines;
}

/**
 * The main thread's side: sends batches, keeps what it needs to name a mismatch, and turns the
 * worker's verdicts into the failure the export verifier would report. Verdicts come in the order
 * the batches were sent, so the first mismatch reported is the first in the file.
 */
export class EntryHashWorker {
  private readonly worker: Worker;
  private readonly pending: PendingBatch[] = [];
  private nextId = 0;
  private mismatch: VerificationFailure | null = null;
  private crash: Error | null = null;
  private closing = false;
  private isReady = false;
  /** Resolves the caller waiting in `settled` or `fewerWaitingThan`, on any news. */
  private wake: (() => void) | null = null;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (message: HashVerdict | WorkerReady) => {
      if ('ready' in message) {
        this.isReady = true;
        this.notify();
      } else {
        this.received(message);
      }
    });
    worker.on('error', (error) => {
      this.crash ??= new AuditError(AuditErrorCode.VERIFIER_THREAD_FAILED, `the entry hash worker failed: ${error.message}`, {}, { cause: error });
      this.notify();
    });
    worker.on('exit', (code) => {
      if (!this.closing) this.crash ??= new AuditError(
          AuditErrorCode.VERIFIER_THREAD_FAILED,
          `the entry hash worker stopped (exit code ${code}) with ${this.pending.length} batches unchecked`,
          { exitCode: code, uncheckedBatches: this.pending.length },
        );
      this.notify();
    });
  }

  static start(): EntryHashWorker {
    const setup: WorkerSetup = { prefix: entryHashPrefixV2(), hashAt: FULL_ENTRY_LINE.hashAt, entryAt: FULL_ENTRY_LINE.entryAt };
    // No inherited options: a parent run with `-r @swc-node/register` would have every worker load it (and TypeScript) first.
    return new EntryHashWorker(new Worker(WORKER_SOURCE, { eval: true, workerData: setup, execArgv: [] }));
  }

  /** Whether a verdict has come: the worker is running. */
  get answered(): boolean {
    return this.nextId > this.pending.length;
  }

  /** Whether the worker is running (it takes tens of milliseconds to start). */
  get ready(): boolean {
    return this.isReady;
  }

  /** Batches sent whose verdict has not come yet. */
  get waiting(): number {
    return this.pending.length;
  }

  /** The first mismatch reported so far (the main thread may stop reading). */
  get failure(): VerificationFailure | null {
    this.throwIfCrashed();
    return this.mismatch;
  }

  /**
   * Sends the lines whose hashes the main thread deferred. `bytes` is handed over when it is a whole
   * buffer of its own (the caller must not touch it again), and copied otherwise (a slice of Node's
   * shared pool of small buffers cannot be moved to another thread).
   */
  submit(bytes: Buffer, lines: DeferredLines): void {
    if (lines.size === 0) return;
    const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const sent = owned ? bytes : new Uint8Array(bytes);
    const batch: HashBatch = { id: this.nextId++, bytes: sent, lines: lines.ranges.slice(0, 2 * lines.size) };
    this.pending.push({ id: batch.id, lines });
    this.worker.postMessage(batch, [sent.buffer as ArrayBuffer, batch.lines.buffer as ArrayBuffer]);
  }

  /** Waits until fewer than `count` batches are waiting (or a mismatch or crash ends the wait). */
  async fewerWaitingThan(count: number): Promise<void> {
    while (this.pending.length >= count && this.mismatch === null && this.crash === null) await this.news();
    this.throwIfCrashed();
  }

  /** Waits for every verdict (or the first mismatch) and stops the worker: null when every deferred line hashed to its recorded hash. */
  async settled(): Promise<VerificationFailure | null> {
    try {
      await this.fewerWaitingThan(1);
      return this.mismatch;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.worker.terminate();
  }

  private received(verdict: HashVerdict): void {
    const batch = this.pending.shift();
    if (batch?.id !== verdict.id) {
      this.crash ??= new AuditError(AuditErrorCode.VERIFIER_THREAD_FAILED, `the entry hash worker answered batch ${verdict.id} out of turn`, { batch: verdict.id });
    } else if (verdict.firstMismatch >= 0 && this.mismatch === null) {
      this.mismatch = batch.lines.mismatchAt(verdict.firstMismatch);
    }
    this.notify();
  }

  private news(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private throwIfCrashed(): void {
    if (this.crash) throw this.crash;
  }
}
