import { Worker } from 'node:worker_threads';
import { AuditError, AuditErrorCode } from '../errors';
import { segmentChecker, SegmentResult, SegmentTask } from './entry-segments';

/**
 * The verifier's second thread: it checks the segments it is sent (`checkSegment`) one after
 * another and answers each. It is started on first use and kept for the life of the process, so a
 * process that verifies several exports pays its start (tens of milliseconds on a 2-core machine)
 * once; it does not keep the process alive while it has nothing to do.
 *
 * Its program is `segmentChecker` sent as source text (`toString` and `eval`): a worker thread cannot
 * load the project's TypeScript without starting @swc-node/register again, which takes longer than
 * verifying a large export. A thread that fails or stops fails what it was asked
 * (AUDIT_VERIFIER_THREAD_FAILED), and the next request starts a new one.
 */

interface SegmentRequest {
  readonly id: number;
  readonly task: SegmentTask;
}

type SegmentAnswer = { readonly id: number; readonly result: SegmentResult } | { readonly id: number; readonly error: string };

const WORKER_SOURCE = `'use strict';
const { parentPort } = require('node:worker_threads');
const io = require('node:fs');
const { hash } = require('node:crypto');
const checkSegment = (${segmentChecker.toString()})();
parentPort.on('message', ({ id, task }) => {
  let answer;
  try {
    answer = { id, result: checkSegment(io, hash, task) };
  } catch (error) {
    answer = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort.postMessage(answer);
});`;

interface Pending {
  readonly resolve: (result: SegmentResult) => void;
  readonly reject: (error: Error) => void;
}

export class SegmentThread {
  private static current: SegmentThread | null = null;

  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  private constructor() {
    // No inherited options: a parent run with `-r @swc-node/register` would have the worker load it (and TypeScript) first.
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    this.worker.unref();
    this.worker.on('message', (answer: SegmentAnswer) => {
      const pending = this.pending.get(answer.id);
      if (!pending) return;
      this.settled(answer.id);
      if ('error' in answer) pending.reject(this.failure(`it failed: ${answer.error}`));
      else pending.resolve(answer.result);
    });
    this.worker.on('error', (error) => {
      this.stop(this.failure(`it failed: ${error.message}`, error));
    });
    this.worker.on('exit', (code) => {
      this.stop(this.failure(`it stopped (exit code ${code})`));
    });
  }

  /** The process's thread, started if there is none. */
  static shared(): SegmentThread {
    SegmentThread.current ??= new SegmentThread();
    return SegmentThread.current;
  }

  /** Stops the process's thread, if any (tests; a process exits without it). */
  static async close(): Promise<void> {
    const thread = SegmentThread.current;
    SegmentThread.current = null;
    if (thread) await thread.worker.terminate();
  }

  /** Checks a segment on the thread; segments are checked in the order they are sent. */
  check(task: SegmentTask): Promise<SegmentResult> {
    const id = this.nextId++;
    return new Promise<SegmentResult>((resolve, reject) => {
      // Kept alive while it has work, so a process waiting only for its answer does not exit.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      const request: SegmentRequest = { id, task };
      this.worker.postMessage(request);
    });
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private failure(what: string, cause?: Error): AuditError {
    return new AuditError(
      AuditErrorCode.VERIFIER_THREAD_FAILED,
      `the verifier's worker thread ${what}, with ${this.pending.size} segment(s) unchecked`,
      { uncheckedSegments: this.pending.size },
      cause ? { cause } : undefined,
    );
  }

  private stop(error: AuditError): void {
    if (SegmentThread.current === this) SegmentThread.current = null;
    for (const [id, pending] of [...this.pending]) {
      this.settled(id);
      pending.reject(error);
    }
  }
}
