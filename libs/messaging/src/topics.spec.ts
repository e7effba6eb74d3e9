import { describe, expect, it } from 'vitest';
import { MessagingErrorCode } from './errors';
import { ALL_TOPICS, assertValidTopicName, topicFor, Topics } from './topics';

describe('Topics', () => {
  it('declares each topic once, with a versioned name matching its schema version', () => {
    const names = ALL_TOPICS.map((topic) => topic.name);
    expect(new Set(names).size).toBe(names.length);
    for (const topic of ALL_TOPICS) {
      expect(topic.name.endsWith(`.v${topic.schemaVersion}`)).toBe(true);
      expect(() => {
        assertValidTopicName(topic.name);
      }).not.toThrow();
      expect(topic.description.length).toBeGreaterThan(20);
      expect(topic.partitions).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('topicFor', () => {
  it.each([
    ['wearable.readings.v1', 'kafka-transport', 'wearable.readings.v1.kafka-transport'],
    [
      'wearable.readings.v1',
      'kafka transport.test.ts 3f9a',
      'wearable.readings.v1.kafka-transport.test.ts-3f9a',
    ],
    ['fhir.observations.v1', '--edge--', 'fhir.observations.v1.edge'],
  ])('%s + %s -> %s', (base, suffix, expected) => {
    expect(topicFor(base, suffix)).toBe(expected);
  });

  it('refuses a suffix with nothing usable and a name longer than Kafka allows', () => {
    expect(() => topicFor(Topics.wearableReadings.name, '***')).toThrow(
      expect.objectContaining({ code: MessagingErrorCode.INVALID_TOPIC_NAME }) as Error,
    );
    expect(() => topicFor(Topics.wearableReadings.name, 'x'.repeat(250))).toThrow(
      expect.objectContaining({ code: MessagingErrorCode.INVALID_TOPIC_NAME }) as Error,
    );
  });
});
