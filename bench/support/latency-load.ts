/**
 * The latency phase's load for bench/ingestion.bench.ts: readings stamped with the current time when
 * they are made, produced in ticks of 100 ms at a steady rate, from a worker thread of its own.
 *
 * In production devices produce the readings, not the worker. On the bench's main thread the
 * producer's JSON encoding, murmur2 partitioning and acks would run on the consumers' event loop:
 * a tenth of it at half load (CPU profile of the latency phase), and every consumer callback queued
 * behind a tick, and every tick behind a batch. Its own thread still shares the machine's CPUs.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { KafkaStreamTransport } from '@clinloop/messaging';
import { encodeReading, type BenchPatient, type BenchReading } from './bench-readings';

export interface LatencyLoad {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly patients: readonly BenchPatient[];
  readonly readingsPerSecond: number;
  readonly seconds: number;
  /** Device sequence of the first reading; the next ones count up from it (round-robin over patients). */
  readonly firstSequence: number;
}

export interface LatencyLoadResult {
  readonly sent: number;
  /** Epoch milliseconds of the first tick. */
  readonly startedAt: number;
  readonly achievedPerSecond: number;
}

const TICK_MS = 100;

/** Produces the load from a worker thread; resolves once every reading is acknowledged by the broker. */
export function produceLatencyLoad(load: LatencyLoad): Promise<LatencyLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: load });
    let result: LatencyLoadResult | undefined;
    worker.once('message', (message: LatencyLoadResult) => {
      result = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`the latency load thread exited with code ${code} before it finished`));
    });
  });
}

async function produce(load: LatencyLoad): Promise<LatencyLoadResult> {
  const transport = new KafkaStreamTransport({
    brokers: load.brokers,
    clientId: 'clinloop-ingest-bench-latency-load',
  });
  try {
    const total = Math.round(load.readingsPerSecond * load.seconds);
    const perTick = Math.max(1, Math.round((load.readingsPerSecond * TICK_MS) / 1000));
    const startedAt = Date.now();
    let sent = 0;
    for (let tick = 1; sent < total; tick++) {
      const readings: BenchReading[] = [];
      for (let index = 0; index < perTick && sent < total; index++, sent++) {
        const patient = load.patients[sent % load.patients.length];
        if (!patient) throw new Error('no patients');
        readings.push({
          patient,
          sequence: load.firstSequence + sent,
          measuredAt: new Date(),
          sbp: 130,
          dbp: 80,
          heartRate: 70,
        });
      }
      await transport.produce(
        load.topic,
        readings.map((reading) => ({ key: reading.patient.patientId, value: encodeReading(reading) })),
      );
      const wait = startedAt + tick * TICK_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return { sent, startedAt, achievedPerSecond: sent / ((Date.now() - startedAt) / 1000) };
  } finally {
    await transport.close();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  void produce(workerData as LatencyLoad).then((result) => {
    port.postMessage(result);
  });
}
