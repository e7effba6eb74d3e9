import { describe, expect, it } from 'vitest';
import { ObservationErrorCode } from './errors';
import {
  DEVICE_READING_IDENTIFIER_SYSTEM,
  parseFhirObservation,
  toFhirObservation,
} from './fhir-observation.parser';
import { parseWearableReading } from './wearable-reading.parser';

const DEVICE = '6f1c2f0e-3d3b-4a53-9a55-0c7f0d1e2a11';
const PATIENT = '0b6f9c1a-8d2e-4f7a-b1c3-5e9d7a2f4c60';
const panel = toFhirObservation({
  deviceId: DEVICE,
  sequence: 7,
  patientId: PATIENT,
  measuredAt: '2026-11-23T07:41:09+01:00',
  systolic: { value: 138, unit: 'mm[Hg]' },
  diastolic: { value: 86, unit: 'mm[Hg]' },
  heartRate: { value: 72, unit: '/min' },
});

describe('parseFhirObservation', () => {
  it('maps a 85354-9 panel to the same device, sequence, patient, time and values as the native message', () => {
    const fhir = parseFhirObservation(panel);
    const native = parseWearableReading({
      schemaVersion: 1,
      deviceId: DEVICE,
      sequence: 7,
      patientId: PATIENT,
      measuredAt: '2026-11-23T07:41:09+01:00',
      systolic: { value: 138, unit: 'mm[Hg]' },
      diastolic: { value: 86, unit: 'mm[Hg]' },
      heartRate: { value: 72, unit: '/min' },
      deviceKind: 'upper_arm_cuff',
    });
    expect(fhir.ok && native.ok).toBe(true);
    if (!fhir.ok || !native.ok) return;
    const pick = ({
      deviceId,
      sequence,
      patientId,
      measuredAt,
      systolic,
      diastolic,
      heartRate,
      utcOffsetMinutes,
    }: typeof fhir.claim) => ({
      deviceId,
      sequence,
      patientId,
      measuredAt,
      systolic,
      diastolic,
      heartRate,
      utcOffsetMinutes,
    });
    expect(pick(fhir.claim)).toEqual(pick(native.claim));
    expect(fhir.claim.source).toBe('fhir');
  });

  it('accepts a lone 8867-4 heart rate', () => {
    const result = parseFhirObservation({
      ...panel,
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      component: undefined,
      valueQuantity: { value: 64, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
    });
    expect(result).toMatchObject({
      ok: true,
      claim: { heartRate: { value: 64, unit: '/min' }, systolic: null },
    });
  });

  it.each([
    ['another resource type', { ...panel, resourceType: 'Patient' }],
    ['a cancelled status', { ...panel, status: 'cancelled' }],
    ['no device-reading identifier', { ...panel, identifier: [{ system: 'urn:other', value: 'x' }] }],
    [
      'an identifier without sequence',
      { ...panel, identifier: [{ system: DEVICE_READING_IDENTIFIER_SYSTEM, value: DEVICE }] },
    ],
    [
      'a device reference naming another device',
      { ...panel, device: { reference: 'Device/00000000-0000-4000-8000-000000000000' } },
    ],
    ['a subject that is not a patient uuid', { ...panel, subject: { reference: 'Group/1' } }],
    ['a date without time', { ...panel, effectiveDateTime: '2026-11-23' }],
    ['an unsupported code', { ...panel, code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }] } }],
    ['a panel without diastolic', { ...panel, component: [(panel.component as unknown[])[0]] }],
    ['not an object', 'Observation'],
  ])('refuses %s as SCHEMA_INVALID', (_name, resource) => {
    const result = parseFhirObservation(resource);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rejection.code).toBe(ObservationErrorCode.SCHEMA_INVALID);
  });
});
