import { describe, expect, it } from 'vitest';
import { AuditEntryInput, toEntryDraft } from './audit-entry';
import { AuditError, AuditErrorCode } from './errors';
import { applicationRoleUrl } from './application-role';
import { parseExportFilters } from './export/export-filters';

const PATIENT = '6F1C2A3B-0D4E-4F50-8A61-7B2C3D4E5F60';
const VALID: AuditEntryInput = {
  actor: { type: 'user', userId: 'u-1', role: 'clinician', organizationId: null },
  action: 'patient.read',
  resource: { type: 'patient', id: 'p-1' },
  patientId: PATIENT,
  outcome: 'success',
};

describe('toEntryDraft', () => {
  it('flattens the actor, lowercases UUIDs (as PostgreSQL stores them) and fills defaults', () => {
    expect(toEntryDraft(VALID)).toEqual({
      actorType: 'user',
      actorId: 'u-1',
      actorRole: 'clinician',
      actorOrganizationId: null,
      action: 'patient.read',
      resourceType: 'patient',
      resourceId: 'p-1',
      patientId: PATIENT.toLowerCase(),
      outcome: 'success',
      reason: null,
      requestId: null,
      payload: {},
    });
    expect(toEntryDraft({ ...VALID, actor: { type: 'system', component: 'worker.alerts' } })).toMatchObject({ actorType: 'system', actorId: 'worker.alerts', actorRole: null });
  });

  it.each<[string, Partial<AuditEntryInput>]>([
    ['an empty action', { action: ' ' }],
    ['a patient id that is not a UUID', { patientId: 'patient-1' }],
    ['an organization id that is not a UUID', { actor: { type: 'user', userId: 'u', role: 'r', organizationId: 'org' } }],
    ['an unknown outcome', { outcome: 'ok' as 'success' }],
    ['a user without a role', { actor: { type: 'user', userId: 'u', role: '', organizationId: null } }],
    ['an empty resource type', { resource: { type: '' } }],
  ])('refuses %s', (_what, change) => {
    let error: unknown;
    try {
      toEntryDraft({ ...VALID, ...change });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AuditError);
    expect((error as AuditError).code).toBe(AuditErrorCode.INVALID_ENTRY);
  });
});

describe('parseExportFilters', () => {
  it.each([
    [{}, { from: null, to: null, patientId: null, actorId: null, action: null }],
    [{ from: '2026-01-01', to: '2026-02-01T12:00:00+01:00' }, { from: '2026-01-01T00:00:00.000000Z', to: '2026-02-01T11:00:00.000000Z' }],
    [{ from: '2026-01-01T08:30' }, { from: '2026-01-01T08:30:00.000000Z' }],
    [{ patient: PATIENT, actor: 'u-1', action: 'patient.read' }, { patientId: PATIENT.toLowerCase(), actorId: 'u-1', action: 'patient.read' }],
  ])('reads %j', (options, expected) => {
    expect(parseExportFilters(options)).toMatchObject(expected);
  });

  it.each([[{ from: 'yesterday' }], [{ patient: 'p-1' }], [{ from: '2026-02-01', to: '2026-01-01' }], [{ action: '' }]])('refuses %j', (options) => {
    expect(() => parseExportFilters(options)).toThrow(AuditError);
  });
});

describe('applicationRoleUrl', () => {
  it('starts every session as clinloop_app, keeping other options', () => {
    expect(new URL(applicationRoleUrl('postgres://u:p@db:5432/clinloop')).searchParams.get('options')).toBe('-c role=clinloop_app');
    expect(new URL(applicationRoleUrl('postgres://u@db/c?options=-c%20statement_timeout%3D5000')).searchParams.get('options')).toBe('-c statement_timeout=5000 -c role=clinloop_app');
  });
});
