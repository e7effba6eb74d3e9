import { describe, expect, it } from 'vitest';
import { ObservationErrorCode } from './errors';
import { parseJsonBytes, parseWearableReading } from './wearable-reading.parser';

const DEVICE = '6f1c2f0e-3d3b-4a53-9a55-0c7f0d1e2a11';
const PATIENT = '0b6f9c1a-8d2e-4f7a-b1c3-5e9d7a2f4c60';
const valid = {
  schemaVersion: 1,
  deviceId: DEVICE,
  sequence: 1842,
  patientId: PATIENT,
  measuredAt: '2026-11-23T07:41:09+01:00',
  systolic: { value: 138, unit: 'mm[Hg]' },
  diastolic: { value: 86, unit: 'mm[Hg]' },
  heartRate: { value: 72, unit: '/min' },
  bodyPosition: 'sitting',
  deviceKind: 'upper_arm_cuff',
  firmware: '2.4.1',
};

function without(message: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(message).filter(([key]) => !keys.includes(key)));
}

describe('parseJsonBytes', () => {
  it.each([
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x7b])],
    ['truncated JSON', Buffer.from('{"schemaVersion": 1,')],
    ['empty', Buffer.alloc(0)],
  ])('refuses %s as UNPARSEABLE', (_name, bytes) => {
    const result = parseJsonBytes(bytes);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rejection.code).toBe(ObservationErrorCode.UNPARSEABLE);
  });

  it('decodes each message on its own: a truncated UTF-8 sequence does not carry into the next', () => {
    // The first ends inside a two-byte sequence (0xc3 of "é"); the decoder is shared by every call.
    expect(parseJsonBytes(Buffer.from([0x22, 0xc3])).ok).toBe(false);
    expect(parseJsonBytes(Buffer.from('"\u00e9"'))).toEqual({ ok: true, value: 'é' });
    expect(parseJsonBytes(Buffer.from([0xa9, 0x22])).ok).toBe(false);
  });
});

describe('parseWearableReading', () => {
  it('maps a valid message to a claim, keeping the stated UTC offset', () => {
    const result = parseWearableReading(valid);
    expect(result).toMatchObject({
      ok: true,
      claim: {
        source: 'device',
        deviceId: DEVICE,
        sequence: 1842,
        patientId: PATIENT,
        measuredAt: new Date('2026-11-23T06:41:09Z'),
        utcOffsetMinutes: 60,
        systolic: { value: 138, unit: 'mm[Hg]' },
        steps: null,
      },
    });
  });

  it('accepts a heart-rate-only or steps-only message', () => {
    expect(parseWearableReading(without(valid, 'systolic', 'diastolic')).ok).toBe(true);
    expect(
      parseWearableReading({ ...without(valid, 'systolic', 'diastolic', 'heartRate'), steps: 1200 }).ok,
    ).toBe(true);
  });

  it.each([
    ['no measurement at all', without(valid, 'systolic', 'diastolic', 'heartRate')],
    ['systolic without diastolic', without(valid, 'diastolic')],
    ['a time without offset', { ...valid, measuredAt: '2026-11-23T07:41:09' }],
    ['an impossible calendar time', { ...valid, measuredAt: '2026-13-45T07:41:09Z' }],
    ['a malformed device id', { ...valid, deviceId: 'cuff-1' }],
    ['a negative sequence', { ...valid, sequence: -1 }],
    ['a fractional sequence', { ...valid, sequence: 1.5 }],
    ['an unknown field', { ...valid, note: 'hello' }],
    ['another schema version', { ...valid, schemaVersion: 2 }],
    ['an unknown device kind', { ...valid, deviceKind: 'smart_ring' }],
    ['a string value', { ...valid, systolic: { value: '138', unit: 'mm[Hg]' } }],
    ['an array', [valid]],
    // PostgreSQL text cannot hold U+0000: stored, it would fail the whole batch's insert, again and again.
    ['a firmware string with a NUL character', { ...valid, firmware: '2.4\u00001' }],
  ])('refuses %s as SCHEMA_INVALID', (_name, message) => {
    const result = parseWearableReading(message);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rejection.code).toBe(ObservationErrorCode.SCHEMA_INVALID);
  });
});
