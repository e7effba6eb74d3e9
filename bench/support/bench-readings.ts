/** The readings bench/ingestion.bench.ts sends, and their wearable-reading.v1 encoding. */

export interface BenchPatient {
  readonly patientId: string;
  readonly deviceId: string;
}

export interface BenchReading {
  readonly patient: BenchPatient;
  readonly sequence: number;
  readonly measuredAt: Date;
  readonly sbp: number;
  readonly dbp: number;
  readonly heartRate: number;
}

export function encodeReading(reading: BenchReading): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 1,
      deviceId: reading.patient.deviceId,
      sequence: reading.sequence,
      patientId: reading.patient.patientId,
      measuredAt: reading.measuredAt.toISOString(),
      systolic: { value: reading.sbp, unit: 'mm[Hg]' },
      diastolic: { value: reading.dbp, unit: 'mm[Hg]' },
      heartRate: { value: reading.heartRate, unit: '/min' },
      bodyPosition: 'sitting',
      deviceKind: 'upper_arm_cuff',
      firmware: '1.0.0',
    }),
  );
}
