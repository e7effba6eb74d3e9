/** Test builders shared by the clinical specs (not exported from the package). */
import { BpReading } from '../readings/reading';
import { DeviceKind, SymptomCode } from '../vocabulary';

export const T0 = new Date('2025-03-03T08:00:00.000Z');

export function at(minutesFromT0: number): Date {
  return new Date(T0.getTime() + minutesFromT0 * 60_000);
}

export function daysBefore(now: Date, days: number, hourOffsetMinutes = 0): Date {
  return new Date(now.getTime() - days * 86_400_000 + hourOffsetMinutes * 60_000);
}

let sequence = 0;

export function reading(
  takenAt: Date,
  sbp: number,
  dbp: number,
  overrides: {
    id?: string;
    patientId?: string;
    kind?: DeviceKind;
    validated?: boolean;
    enteredInError?: boolean;
    symptoms?: SymptomCode[];
    heartRate?: number | null;
  } = {},
): BpReading {
  sequence += 1;
  return {
    id: overrides.id ?? `r${String(sequence).padStart(5, '0')}`,
    patientId: overrides.patientId ?? 'patient-1',
    takenAt,
    sbp,
    dbp,
    heartRate: overrides.heartRate,
    device: { kind: overrides.kind ?? 'UPPER_ARM_CUFF', validated: overrides.validated ?? true },
    enteredInError: overrides.enteredInError,
    reportedSymptoms: overrides.symptoms,
  };
}
