import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull } from 'typeorm';
import { patientReadScope, patientSubject, type PatientRecordSubject, type SecurityContext } from '@clinloop/authz';
import { DeviceBindingEntity, DeviceEntity } from './device.entity';
import { PatientsError, PatientsErrorCode } from './errors';
import { DeviceModel } from './models/device.model';
import { PatientModel } from './models/patient.model';
import { RegimenVersionModel } from './models/regimen.model';
import { CareTeamPatientEntity, PatientEntity } from './patient.entity';
import { RegimenItemEntity, RegimenVersionEntity } from './regimen.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_PAGE_SIZE = 100;

/**
 * Patient records as the caller may see them. Lists are narrowed in SQL by the caller's read scope
 * and then every row is checked against the ability; a record by id that the caller may not see is
 * "not found", exactly like one that does not exist. Every read, and every refused read, goes to the
 * request's audit entries (one per patient).
 */
@Injectable()
export class PatientsService {
  constructor(private readonly dataSource: DataSource) {}

  async patient(security: SecurityContext, id: string): Promise<PatientModel> {
    const [found] = UUID.test(id) ? await this.load({ ids: [id] }) : [];
    if (!found || !security.ability.can('read', found.authzSubject)) {
      security.audit.record({
        action: 'patient.read',
        resource: { type: 'Patient', id: id.slice(0, 64) },
        patientId: found?.id ?? null,
        outcome: found ? 'denied' : 'failure',
        reason: found ? "outside the caller's organization or care teams" : 'no such patient',
      });
      throw new PatientsError(PatientsErrorCode.NOT_FOUND, 'No such patient.');
    }
    this.recordReads(security, [found]);
    return found;
  }

  /** The patients the caller may read (their care teams' patients, their own record, ...), by name. */
  async patients(security: SecurityContext, page: { first: number; offset: number }): Promise<PatientModel[]> {
    const scope = patientReadScope(security.principal);
    if (scope.kind === 'none') return [];
    const query = this.dataSource
      .getRepository(PatientEntity)
      .createQueryBuilder('p')
      .select('p.id', 'id')
      .where('p.organization_id = :organizationId', { organizationId: scope.organizationId });
    if (scope.kind === 'patients') {
      query.andWhere(
        `(p.id = ANY(:patientIds::uuid[]) OR EXISTS (SELECT 1 FROM care_team_patients ctp WHERE ctp.patient_id = p.id AND ctp.care_team_id = ANY(:careTeamIds::uuid[])))`,
        { patientIds: [...scope.patientIds], careTeamIds: [...scope.careTeamIds] },
      );
    }
    const rows = await query
      .orderBy('p.family_name', 'ASC')
      .addOrderBy('p.given_name', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .limit(Math.min(Math.max(page.first, 0), MAX_PAGE_SIZE))
      .offset(Math.max(page.offset, 0))
      .getRawMany<{ id: string }>();
    return this.readable(security, await this.load({ ids: rows.map((row) => row.id) }));
  }

  /** Patients of one care team, those the caller may read. */
  async patientsOfCareTeam(security: SecurityContext, careTeamId: string): Promise<PatientModel[]> {
    const links = await this.dataSource.getRepository(CareTeamPatientEntity).findBy({ careTeamId });
    return this.readable(security, await this.load({ ids: links.map((link) => link.patientId) }));
  }

  async currentRegimen(security: SecurityContext, patient: PatientModel): Promise<RegimenVersionModel | null> {
    const version = await this.dataSource.getRepository(RegimenVersionEntity).findOne({ where: { patientId: patient.id }, order: { version: 'DESC' } });
    if (!version) return null;
    const model = await this.regimenModel(version, patient.authzSubject);
    return security.ability.can('read', model.authzSubject) ? model : null;
  }

  async devices(security: SecurityContext, patient: PatientModel): Promise<DeviceModel[]> {
    const bindings = await this.dataSource.getRepository(DeviceBindingEntity).find({ where: { patientId: patient.id, unboundAt: IsNull() }, order: { boundAt: 'ASC' } });
    const devices = await this.dataSource.getRepository(DeviceEntity).findBy({ id: In(bindings.map((binding) => binding.deviceId)) });
    const byId = new Map(devices.map((device) => [device.id, device]));
    return bindings
      .flatMap((binding): DeviceModel[] => {
        const device = byId.get(binding.deviceId);
        if (!device) return [];
        const authzSubject: PatientRecordSubject = { ...patient.authzSubject, kind: 'Device', id: device.id };
        return [{ id: device.id, serial: device.serial, kind: device.kind, model: device.model, validated: device.validated, boundAt: binding.boundAt, authzSubject }];
      })
      .filter((device) => security.ability.can('read', device.authzSubject));
  }

  /** A regimen version with its patient's attributes, for reading or signing; undefined when missing. */
  async regimenVersion(id: string): Promise<RegimenVersionModel | undefined> {
    if (!UUID.test(id)) return undefined;
    const version = await this.dataSource.getRepository(RegimenVersionEntity).findOneBy({ id });
    if (!version) return undefined;
    const [patient] = await this.load({ ids: [version.patientId] });
    return patient ? this.regimenModel(version, patient.authzSubject) : undefined;
  }

  private async regimenModel(version: RegimenVersionEntity, patient: PatientRecordSubject): Promise<RegimenVersionModel> {
    const items = await this.dataSource.getRepository(RegimenItemEntity).find({ where: { regimenVersionId: version.id }, order: { drug: 'ASC' } });
    return {
      id: version.id,
      version: version.version,
      effectiveAt: version.effectiveAt,
      reason: version.reason,
      items: items.map((item) => ({ drug: item.drug, dailyDoseMg: Number(item.dailyDoseMg) })),
      authzSubject: { ...patient, kind: 'RegimenVersion', id: version.id },
    };
  }

  private readable(security: SecurityContext, patients: PatientModel[]): PatientModel[] {
    const visible = patients.filter((patient) => security.ability.can('read', patient.authzSubject));
    this.recordReads(security, visible);
    return visible;
  }

  /** One audit entry per patient read; reads under break-glass are flagged. */
  private recordReads(security: SecurityContext, patients: readonly PatientModel[]): void {
    const principal = security.principal;
    for (const patient of patients) {
      const breakGlass =
        principal.kind === 'user' &&
        principal.role === 'clinician' &&
        principal.breakGlassPatientIds.includes(patient.id) &&
        !patient.authzSubject.careTeamIds.some((team) => principal.careTeamIds.includes(team));
      security.audit.record({
        action: 'patient.read',
        resource: { type: 'Patient', id: patient.id },
        patientId: patient.id,
        outcome: 'success',
        payload: breakGlass ? { breakGlass: true } : {},
      });
    }
  }

  /** Patients with their care teams, in the order of `ids`. */
  private async load(where: { ids: readonly string[] }): Promise<PatientModel[]> {
    if (where.ids.length === 0) return [];
    const rows = await this.dataSource.getRepository(PatientEntity).findBy({ id: In([...where.ids]) });
    const links = await this.dataSource.getRepository(CareTeamPatientEntity).findBy({ patientId: In(rows.map((row) => row.id)) });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return where.ids.flatMap((id): PatientModel[] => {
      const row = byId.get(id);
      if (!row) return [];
      const careTeamIds = links.filter((link) => link.patientId === row.id).map((link) => link.careTeamId);
      return [
        {
          id: row.id,
          mrn: row.mrn,
          givenName: row.givenName,
          familyName: row.familyName,
          birthYear: row.birthYear,
          sex: row.sex,
          timeZone: row.timeZone,
          pregnancyStatus: row.pregnancyStatus,
          aceInhibitorAngioedemaHistory: row.aceInhibitorAngioedemaHistory,
          sulfonamideAllergy: row.sulfonamideAllergy,
          anuria: row.anuria,
          authzSubject: patientSubject({ id: row.id, organizationId: row.organizationId, careTeamIds }),
        },
      ];
    });
  }
}
