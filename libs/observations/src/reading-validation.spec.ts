import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '@clinloop/clinical';
import { ObservationErrorCode } from './errors';
import type { ReadingClaim } from './reading';
import { validateClaim, type RegisteredDevice } from './reading-validation';

const NOW = new Date('2026-11-23T12:00:00Z');
const POLICY = { futureSkewMs: 5 * 60_000, lateAfterMs: 24 * 3_600_000 };
const PATIENT = '0b6f9c1a-8d2e-4f7a-b1c3-5e9d7a2f4c60';
const OTHER_PATIENT = '1b6f9c1a-8d2e-4f7a-b1c3-5e9d7a2f4c60';
const DEVICE = '6f1c2f0e-3d3b-4a53-9a55-0c7f0d1e2a11';

const claim = (overrides: Partial<ReadingClaim> = {}): ReadingClaim => ({
  source: 'device',
  deviceId: DEVICE,
  sequence: 1,
  patientId: PATIENT,
  measuredAt: new Date('2026-11-23T11:00:00Z'),
  utcOffsetMinutes: 60,
  systolic: { value: 132, unit: 'mm[Hg]' },
  diastolic: { value: 84, unit: 'mm[Hg]' },
  heartRate: { value: 70, unit: '/min' },
  steps: null,
  bodyPosition: 'sitting',
  firmware: null,
  ...overrides,
});

const cuff = (overrides: Partial<RegisteredDevice> = {}): RegisteredDevice => ({
  id: DEVICE,
  kind: 'upper_arm_cuff',
  validated: true,
  bindings: [{ patientId: PATIENT, boundAt: new Date('2026-01-01T00:00:00Z'), unboundAt: null }],
  ...overrides,
});

const validate = (c: ReadingClaim, device: RegisteredDevice | null = cuff(), receivedAt = NOW) =>
  validateClaim(c, device, { now: NOW, receivedAt }, POLICY, DEFAULT_RULES);

describe('validateClaim', () => {
  it('accepts a plausible validated-cuff reading that counts toward decisions', () => {
    expect(validate(claim())).toMatchObject({
      ok: true,
      reading: { sbp: 132, dbp: 84, heartRate: 70, countsTowardDecisions: true, late: false },
    });
  });

  it('converts kPa to mm[Hg] and keeps the original', () => {
    expect(
      validate(claim({ systolic: { value: 17.6, unit: 'kPa' }, diastolic: { value: 11.2, unit: 'kPa' } })),
    ).toMatchObject({
      ok: true,
      reading: { sbp: 132.01, dbp: 84.01, originalPressureUnit: 'kPa', originalSbp: 17.6, originalDbp: 11.2 },
    });
  });

  it.each([
    ['a wrist cuff', cuff({ kind: 'wrist_cuff' })],
    ['a cuffless wearable', cuff({ kind: 'cuffless_wearable' })],
    ['an unvalidated upper-arm cuff', cuff({ validated: false })],
  ])('stores but does not count a reading from %s', (_name, device) => {
    expect(validate(claim(), device)).toMatchObject({ ok: true, reading: { countsTowardDecisions: false } });
  });

  it('flags a reading that arrived later than the lateness limit, judged from when it was received', () => {
    const old = claim({ measuredAt: new Date('2026-11-20T08:00:00Z') });
    expect(validate(old)).toMatchObject({ ok: true, reading: { late: true } });
    expect(validate(old, cuff(), new Date('2026-11-20T09:00:00Z'))).toMatchObject({
      ok: true,
      reading: { late: false },
    });
  });

  it.each([
    [
      'systolic out of range',
      claim({ systolic: { value: 320, unit: 'mm[Hg]' } }),
      cuff(),
      ObservationErrorCode.IMPLAUSIBLE,
    ],
    [
      'systolic below diastolic',
      claim({ systolic: { value: 80, unit: 'mm[Hg]' }, diastolic: { value: 90, unit: 'mm[Hg]' } }),
      cuff(),
      ObservationErrorCode.IMPLAUSIBLE,
    ],
    [
      'a narrow pulse pressure',
      claim({ systolic: { value: 95, unit: 'mm[Hg]' }, diastolic: { value: 90, unit: 'mm[Hg]' } }),
      cuff(),
      ObservationErrorCode.IMPLAUSIBLE,
    ],
    [
      'heart rate out of range',
      claim({ heartRate: { value: 400, unit: '/min' } }),
      cuff(),
      ObservationErrorCode.IMPLAUSIBLE,
    ],
    [
      'a pressure in psi',
      claim({ systolic: { value: 2.5, unit: 'psi' } }),
      cuff(),
      ObservationErrorCode.WRONG_UNIT,
    ],
    [
      'a heart rate in Hz',
      claim({ systolic: null, diastolic: null, heartRate: { value: 1.2, unit: 'Hz' } }),
      cuff(),
      ObservationErrorCode.WRONG_UNIT,
    ],
    ['an unregistered device', claim(), null, ObservationErrorCode.UNKNOWN_DEVICE],
    [
      'a device bound to someone else',
      claim(),
      cuff({
        bindings: [{ patientId: OTHER_PATIENT, boundAt: new Date('2026-01-01T00:00:00Z'), unboundAt: null }],
      }),
      ObservationErrorCode.DEVICE_NOT_BOUND_TO_PATIENT,
    ],
    [
      'a reading measured after unbinding',
      claim(),
      cuff({
        bindings: [
          {
            patientId: PATIENT,
            boundAt: new Date('2026-01-01T00:00:00Z'),
            unboundAt: new Date('2026-11-01T00:00:00Z'),
          },
        ],
      }),
      ObservationErrorCode.DEVICE_NOT_BOUND_TO_PATIENT,
    ],
    [
      'a reading measured before binding',
      claim(),
      cuff({
        bindings: [{ patientId: PATIENT, boundAt: new Date('2026-11-23T11:30:00Z'), unboundAt: null }],
      }),
      ObservationErrorCode.DEVICE_NOT_BOUND_TO_PATIENT,
    ],
    [
      'a time beyond the allowed skew',
      claim({ measuredAt: new Date('2026-11-23T12:06:00Z') }),
      cuff(),
      ObservationErrorCode.FUTURE_TIMESTAMP,
    ],
  ])('refuses %s', (_name, c, device, code) => {
    const result = validate(c, device);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rejection.code).toBe(code);
  });

  it('accepts a time within the allowed skew, and a reading from the earlier of two bindings', () => {
    expect(validate(claim({ measuredAt: new Date('2026-11-23T12:04:00Z') })).ok).toBe(true);
    const rebound = cuff({
      bindings: [
        {
          patientId: PATIENT,
          boundAt: new Date('2026-01-01T00:00:00Z'),
          unboundAt: new Date('2026-11-23T11:30:00Z'),
        },
        { patientId: OTHER_PATIENT, boundAt: new Date('2026-11-23T11:30:00Z'), unboundAt: null },
      ],
    });
    expect(validate(claim(), rebound).ok).toBe(true);
  });
});
