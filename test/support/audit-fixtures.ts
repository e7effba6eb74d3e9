import { DataSource } from 'typeorm';
import { withTransaction } from '@clinloop/database';
import { AuditEntry, AuditEntryInput, AuditService } from '@clinloop/audit';

export const PATIENTS = ['6f1c2a3b-0d4e-4f50-8a61-7b2c3d4e5f60', '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d', 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'] as const;
export const ORGANIZATION = '11111111-2222-4333-8444-555555555555';
export const CLINICIANS = ['c0ffee00-0000-4000-8000-000000000001', 'c0ffee00-0000-4000-8000-000000000002'] as const;

/**
 * Deterministic, varied entries: users and system components, patients and none, every outcome,
 * reasons with newlines and quotes, payloads of different shapes. `label` goes into the payload so
 * tests can tell writers apart.
 */
export function sampleInputs(count: number, label = 'sample'): AuditEntryInput[] {
  return Array.from({ length: count }, (_, index): AuditEntryInput => {
    const patientId = index % 4 === 3 ? null : (PATIENTS[index % PATIENTS.length] ?? null);
    const byUser = index % 3 !== 0;
    return {
      actor: byUser
        ? { type: 'user', userId: CLINICIANS[index % 2] ?? 'unknown', role: 'clinician', organizationId: ORGANIZATION }
        : { type: 'system', component: 'worker.readings', organizationId: ORGANIZATION },
      action: byUser ? (index % 2 === 0 ? 'patient.read' : 'recommendation.approve') : 'readings.ingested',
      resource: byUser ? { type: 'patient', id: patientId } : { type: 'reading-batch', id: `batch-${index}` },
      patientId,
      outcome: index % 7 === 5 ? 'denied' : index % 11 === 10 ? 'failure' : 'success',
      reason: index % 5 === 4 ? `reason ${index}: "quoted",\nsecond line` : null,
      requestId: byUser ? `req-${label}-${index}` : null,
      payload: { label, index, readings: byUser ? [] : [{ systolic: 120 + (index % 40), diastolic: 80 }] },
    };
  });
}

/** Appends `inputs` through the production API, `perTransaction` entries per transaction. */
export async function appendInTransactions(dataSource: DataSource, inputs: readonly AuditEntryInput[], perTransaction: number, audit = new AuditService()): Promise<AuditEntry[]> {
  const appended: AuditEntry[] = [];
  for (let start = 0; start < inputs.length; start += perTransaction) {
    const batch = inputs.slice(start, start + perTransaction);
    appended.push(...(await withTransaction(dataSource, (manager) => audit.append(manager, batch))));
  }
  return appended;
}
