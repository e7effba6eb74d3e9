import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '@clinloop/clinical';
import { parseFhirObservation } from '../fhir-observation.parser';
import { parseJsonBytes, parseWearableReading } from '../wearable-reading.parser';
import { validateClaim } from '../reading-validation';
import { randomBaseline, seededRandom, simulateDay, simulateReadings, type SimulatedDevice } from './reading-simulator';

const NOW = new Date('2026-11-23T12:00:00Z');
const random = seededRandom(42);
const devices: SimulatedDevice[] = Array.from({ length: 20 }, (_, index) => ({
  patientId: `0b6f9c1a-8d2e-4f7a-b1c3-${String(index).padStart(12, '0')}`,
  deviceId: `6f1c2f0e-3d3b-4a53-9a55-${String(index).padStart(12, '0')}`,
  firstSequence: 100,
  baseline: randomBaseline(random),
}));
const [first, second] = devices;
if (!first || !second) throw new Error('two devices needed');
const messages = simulateReadings(devices, {
  days: 14,
  now: NOW,
  utcOffsetMinutes: 60,
  artifactRate: 0.02,
  malformedRate: 0.01,
  random,
});

describe('simulateReadings', () => {
  it('gives each patient two sessions a day of 2-3 readings a minute apart, within the window and not in the future', () => {
    const own = messages.filter((message) => message.deviceId === first.deviceId);
    const sessions: { start: Date; last: Date; count: number }[] = [];
    for (const message of own) {
      const current = sessions.at(-1);
      if (current && message.measuredAt.getTime() - current.last.getTime() < 10 * 60_000) {
        current.last = message.measuredAt;
        current.count++;
      } else sessions.push({ start: message.measuredAt, last: message.measuredAt, count: 1 });
    }
    expect(sessions.length).toBeGreaterThanOrEqual(26);
    expect(sessions.length).toBeLessThanOrEqual(28);
    for (const session of sessions) {
      expect(session.count).toBeLessThanOrEqual(3);
      const localHour = new Date(session.start.getTime() + 60 * 60_000).getUTCHours();
      expect([6, 7, 20, 21]).toContain(localHour);
    }
    for (const message of messages) {
      expect(message.measuredAt.getTime()).toBeLessThanOrEqual(NOW.getTime());
      expect(message.measuredAt.getTime()).toBeGreaterThan(NOW.getTime() - 15 * 86_400_000);
    }
  });

  it("numbers each device's readings consecutively from its first sequence, sorted by time", () => {
    const sequences = messages
      .filter((message) => message.deviceId === second.deviceId)
      .map((message) => message.sequence);
    expect(sequences).toEqual(sequences.map((_, index) => 100 + index));
    const times = messages.map((message) => message.measuredAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('shows a morning surge and a first-reading rise in the good readings', () => {
    const good = messages.filter((message) => message.kind === 'reading');
    const sbp = (message: (typeof good)[number]): number =>
      (JSON.parse(message.value.toString()) as { systolic: { value: number } }).systolic.value;
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    const morning = good.filter(
      (message) => new Date(message.measuredAt.getTime() + 3_600_000).getUTCHours() < 12,
    );
    const evening = good.filter(
      (message) => new Date(message.measuredAt.getTime() + 3_600_000).getUTCHours() >= 12,
    );
    expect(mean(morning.map(sbp)) - mean(evening.map(sbp))).toBeGreaterThan(3);
  });

  it('mixes in artifacts and malformed messages at about the requested rates; everything else passes validation', () => {
    const counts = { reading: 0, artifact: 0, malformed: 0 };
    for (const message of messages) counts[message.kind]++;
    expect(counts.artifact / messages.length).toBeGreaterThan(0.005);
    expect(counts.artifact / messages.length).toBeLessThan(0.05);
    expect(counts.malformed).toBeGreaterThan(0);
    for (const message of messages) {
      const json = parseJsonBytes(message.value);
      if (message.kind === 'malformed') {
        expect(json.ok).toBe(false);
        continue;
      }
      if (!json.ok) throw new Error('unparseable good message');
      const parsed = parseWearableReading(json.value);
      if (!parsed.ok) throw new Error(parsed.rejection.reason);
      const device = {
        id: message.deviceId,
        kind: 'upper_arm_cuff' as const,
        validated: true,
        bindings: [{ patientId: message.key, boundAt: new Date(0), unboundAt: null }],
      };
      const result = validateClaim(
        parsed.claim,
        device,
        { now: NOW, receivedAt: NOW },
        { futureSkewMs: 300_000, lateAfterMs: 86_400_000 },
        DEFAULT_RULES,
      );
      expect(result.ok, `${message.kind}: ${message.value.toString()}`).toBe(message.kind === 'reading');
    }
  });
});

describe('FHIR share and single days', () => {
  const mixed = simulateReadings(devices.slice(0, 5), {
    days: 14,
    now: NOW,
    utcOffsetMinutes: 60,
    artifactRate: 0,
    malformedRate: 0,
    fhirShare: 0.25,
    random: seededRandom(7),
  });

  it('sends about the requested share as FHIR R4 Observations that parse to the same kind of claim', () => {
    const fhir = mixed.filter((message) => message.format === 'fhir-r4-observation');
    expect(fhir.length / mixed.length).toBeGreaterThan(0.15);
    expect(fhir.length / mixed.length).toBeLessThan(0.35);
    for (const message of mixed) {
      const json = parseJsonBytes(message.value);
      if (!json.ok) throw new Error('unparseable good message');
      const parsed = message.format === 'fhir-r4-observation' ? parseFhirObservation(json.value) : parseWearableReading(json.value);
      if (!parsed.ok) throw new Error(parsed.rejection.reason);
      expect([parsed.claim.deviceId, parsed.claim.sequence, parsed.claim.measuredAt.getTime()]).toEqual([
        message.deviceId,
        message.sequence,
        Math.floor(message.measuredAt.getTime() / 1000) * 1000,
      ]);
    }
  });

  it('gives the same day for the same seed, whatever the clock', () => {
    const day = (seed: number) =>
      simulateDay(first, {
        localMidnight: new Date('2026-11-20T06:00:00Z'),
        utcOffsetMinutes: -360,
        firstSequence: 1000,
        artifactRate: 0,
        malformedRate: 0,
        fhirShare: 0,
        random: seededRandom(seed),
      }).map((message) => message.value.toString());
    expect(day(3)).toEqual(day(3));
    expect(day(3)).not.toEqual(day(4));
  });
});
