import { MessagingError, MessagingErrorCode } from './errors';

export interface TopicDefinition {
  /** Full Kafka topic name; the `.vN` suffix is the message schema version. */
  readonly name: string;
  /** Version of the message schema on this topic; a breaking change gets a new topic (`.v2`). */
  readonly schemaVersion: number;
  /** What the message key is: Kafka keeps order per key, so this is the unit of ordering. */
  readonly key: string;
  /** Partitions created when the topic does not exist yet (the unit of consumer scale-out). */
  readonly partitions: number;
  readonly description: string;
}

/**
 * Every topic ClinLoop reads or writes, declared in this one place: producers, consumers, the
 * topic setup at start-up and the integrator documentation all take names from here.
 */
export const Topics = {
  wearableReadings: {
    name: 'wearable.readings.v1',
    schemaVersion: 1,
    key: 'patientId',
    partitions: 6,
    description:
      'Raw blood-pressure and heart-rate readings from wearables and home cuffs, as devices send them; consumed by apps/worker.',
  },
  wearableReadingsDeadLetter: {
    name: 'wearable.readings.dlq.v1',
    schemaVersion: 1,
    key: 'patientId',
    partitions: 1,
    description:
      'Readings the worker rejected (schema, units, physiological range), each with the original payload and the reason, for inspection and replay.',
  },
  fhirObservations: {
    name: 'fhir.observations.v1',
    schemaVersion: 1,
    key: 'patientId',
    partitions: 6,
    description:
      'Readings sent by integrators as FHIR R4 Observation JSON (LOINC 85354-9 panel with 8480-6 / 8462-4 components, 8867-4; identifier carries device and sequence); consumed by apps/worker like wearable.readings.v1.',
  },
  clinicalRecommendations: {
    name: 'clinical.recommendations.v1',
    schemaVersion: 1,
    key: 'patientId',
    partitions: 6,
    description:
      'Medication titration recommendations with their routing tier (AUTO, REVIEW, BLOCKED), published through the outbox after the audit entry is committed.',
  },
  auditCheckpoints: {
    name: 'audit.checkpoints.v1',
    schemaVersion: 1,
    key: 'chainId',
    partitions: 1,
    description:
      'Periodic signed checkpoints of the hash-chained audit log, so auditors can verify the trail from outside the database.',
  },
} as const satisfies Record<string, TopicDefinition>;

export type TopicKey = keyof typeof Topics;
export type TopicName = (typeof Topics)[TopicKey]['name'];

export const ALL_TOPICS: readonly TopicDefinition[] = Object.values(Topics);

/** Kafka's own limits on topic names (legal characters, at most 249 of them). */
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function assertValidTopicName(name: string): void {
  if (!LEGAL_TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new MessagingError(
      MessagingErrorCode.INVALID_TOPIC_NAME,
      `"${name}" is not a valid Kafka topic name`,
      { topic: name },
    );
  }
}

/**
 * A topic name of its own for one test file (or one test), derived from a real topic name so logs
 * still say what it stands for: `topicFor('wearable.readings.v1', 'kafka-transport 3f9a')` gives
 * `wearable.readings.v1.kafka-transport-3f9a`. Deterministic on purpose; callers that reuse a
 * long-lived broker put a run-unique part (random or time-based) into the suffix.
 */
export function topicFor(base: string, suffix: string): string {
  const cleanSuffix = suffix.replace(/[^a-zA-Z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  if (!cleanSuffix) {
    throw new MessagingError(
      MessagingErrorCode.INVALID_TOPIC_NAME,
      `topic suffix "${suffix}" has no usable characters`,
      { base, suffix },
    );
  }
  const name = `${base}.${cleanSuffix}`;
  assertValidTopicName(name);
  return name;
}
