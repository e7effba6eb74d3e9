import type { Rejection } from './errors';

/** Body of a message on wearable.readings.dlq.v1; the same facts are in the headers for tools that only read those. */
export interface DeadLetterRecord {
  readonly schemaVersion: 1;
  readonly code: Rejection['code'];
  readonly reason: string;
  readonly source: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    readonly key: string | null;
  };
  /** The message exactly as received, base64: it may not be UTF-8 or JSON at all. */
  readonly originalBase64: string;
  readonly rejectedAt: string;
}

export const DEAD_LETTER_HEADERS = {
  code: 'x-error-code',
  reason: 'x-error-reason',
  sourceTopic: 'x-source-topic',
  sourcePartition: 'x-source-partition',
  sourceOffset: 'x-source-offset',
} as const;

export interface DeadLetterMessage {
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export function toDeadLetter(
  original: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    readonly key: string | null;
    readonly value: Buffer;
  },
  rejection: Rejection,
  rejectedAt: Date,
): DeadLetterMessage {
  const record: DeadLetterRecord = {
    schemaVersion: 1,
    code: rejection.code,
    reason: rejection.reason,
    source: {
      topic: original.topic,
      partition: original.partition,
      offset: original.offset,
      key: original.key,
    },
    originalBase64: original.value.toString('base64'),
    rejectedAt: rejectedAt.toISOString(),
  };
  return {
    key: original.key,
    value: Buffer.from(JSON.stringify(record)),
    headers: {
      [DEAD_LETTER_HEADERS.code]: rejection.code,
      // Headers are for quick triage; the body holds the full reason.
      [DEAD_LETTER_HEADERS.reason]: rejection.reason.slice(0, 500),
      [DEAD_LETTER_HEADERS.sourceTopic]: original.topic,
      [DEAD_LETTER_HEADERS.sourcePartition]: String(original.partition),
      [DEAD_LETTER_HEADERS.sourceOffset]: original.offset,
    },
  };
}
