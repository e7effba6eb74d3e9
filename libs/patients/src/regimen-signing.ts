import { Injectable } from '@nestjs/common';
import type { JsonObject } from '@clinloop/audit';
import type { SecurityContext, SubjectObject } from '@clinloop/authz';
import { RegimenVersionModel } from './models/regimen.model';
import { PatientsService } from './patients.service';

/** A regimen version as a signable record: what a clinician signs when they review it. */
export interface RegimenSignable {
  readonly record: {
    readonly type: 'RegimenVersion';
    readonly id: string;
    readonly organizationId: string;
    readonly patientId: string;
    readonly content: JsonObject;
  };
  readonly subject: SubjectObject;
}

/**
 * Exactly what a regimen signature covers: patient, version, when it takes effect, why, and each
 * drug with its dose as stored (decimal text, so no float rounding reaches the hash).
 */
export function regimenSignedContent(version: RegimenVersionModel, patientId: string): JsonObject {
  return {
    patientId,
    version: version.version,
    effectiveAt: version.effectiveAt.toISOString(),
    reason: version.reason,
    items: version.items.map((item) => ({ drug: item.drug, dailyDoseMg: String(item.dailyDoseMg) })),
  };
}

@Injectable()
export class RegimenSigningSource {
  readonly recordType = 'RegimenVersion';

  constructor(private readonly patientsService: PatientsService) {}

  /** The record as the caller may see it; undefined when missing or not visible. */
  async load(security: SecurityContext, id: string): Promise<RegimenSignable | undefined> {
    const signable = await this.loadInOrganization(security.principal.kind === 'anonymous' ? null : security.principal.organizationId, id);
    return signable && security.ability.can('read', signable.subject) ? signable : undefined;
  }

  /** For verifying a signature: any regimen version of the organization (only the verdict leaves). */
  async loadInOrganization(organizationId: string | null, id: string): Promise<RegimenSignable | undefined> {
    const version = await this.patientsService.regimenVersion(id);
    if (!version || version.authzSubject.organizationId !== organizationId) return undefined;
    const patientId = version.authzSubject.patientId;
    return {
      record: { type: 'RegimenVersion', id: version.id, organizationId: version.authzSubject.organizationId, patientId, content: regimenSignedContent(version, patientId) },
      subject: version.authzSubject,
    };
  }
}
