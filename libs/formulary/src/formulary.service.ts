import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { JsonObject } from '@clinloop/audit';
import { AUDIT_APPENDER, auditActorFor, SignatureService, type AuditAppender, type RequestMeta, type SignatureCredentials } from '@clinloop/auth';
import type { UserPrincipal } from '@clinloop/authz';
import type { ClinicalRules } from '@clinloop/clinical';
import { withTransaction } from '@clinloop/database';
import { effectiveFormulary, rulesWithFormulary, type EffectiveFormulary } from './effective-formulary';
import { FormularyError, FormularyErrorCode } from './errors';
import { FormularyDrugEntity } from './formulary-drug.entity';
import { FormularyDrugModel } from './models/formulary-drug.model';

export const FORMULARY_RECORD_TYPE = 'FormularyDrug';

/** A change of one drug's hard limits as a clinician enters it; version, signer and time are the system's. */
export interface FormularyDrugChange {
  readonly drug: string;
  readonly stepsMg: readonly number[];
  readonly note: string;
  readonly source: string;
  readonly reason: string;
}

/** Exactly what a formulary signature covers: the new version's limits and why they changed. */
export function formularySignedContent(row: Pick<FormularyDrugEntity, 'drug' | 'version' | 'drugClass' | 'stepsMg' | 'maxDailyMg' | 'note' | 'source' | 'changeReason'>): JsonObject {
  return {
    drug: row.drug,
    version: row.version,
    drugClass: row.drugClass,
    stepsMg: row.stepsMg,
    maxDailyMg: row.maxDailyMg,
    note: row.note,
    source: row.source,
    reason: row.changeReason,
  };
}

@Injectable()
export class FormularyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly signatures: SignatureService,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
  ) {}

  /** The newest version of every drug, by name. */
  async currentFormulary(): Promise<FormularyDrugModel[]> {
    return (await this.currentRows()).map(toModel);
  }

  /**
   * The formulary the envelope and bounds validation enforce: the newest signed version of every
   * drug (see effectiveFormulary), with the rows the clinical rules cannot use and why.
   * @param manager read inside the caller's transaction (e.g. while signing bounds)
   */
  async effectiveFormulary(manager: EntityManager = this.dataSource.manager): Promise<EffectiveFormulary> {
    return effectiveFormulary(await this.currentRows(manager));
  }

  /** DEFAULT_RULES with the effective database formulary; its version names the formulary rows used. */
  async effectiveRules(manager: EntityManager = this.dataSource.manager): Promise<ClinicalRules> {
    return rulesWithFormulary((await this.effectiveFormulary(manager)).formulary);
  }

  private currentRows(manager: EntityManager = this.dataSource.manager): Promise<FormularyDrugEntity[]> {
    return manager
      .getRepository(FormularyDrugEntity)
      .createQueryBuilder('f')
      .distinctOn(['f.drug'])
      .orderBy('f.drug', 'ASC')
      .addOrderBy('f.version', 'DESC')
      .getMany();
  }

  /**
   * A new version of one drug's limits, e-signed by the changing clinician (meaning `approved`,
   * e-mail and password re-entered) and audited, all in one transaction: a refused signature writes
   * nothing. The caller's authority (`update Formulary`: a clinician with the formulary permission)
   * is the global guard's; the signer is always that caller.
   * @throws FormularyError UNKNOWN_DRUG / INVALID_CHANGE before anything is written
   * @throws SignatureError when the re-entered e-mail or password is wrong (or signing is locked)
   */
  async changeDrug(clinician: UserPrincipal, change: FormularyDrugChange, credentials: SignatureCredentials, meta: RequestMeta): Promise<FormularyDrugModel> {
    const steps = [...change.stepsMg];
    const top = steps[steps.length - 1];
    if (top === undefined || steps.some((step, index) => !Number.isFinite(step) || step <= 0 || (index > 0 && step <= (steps[index - 1] ?? 0)))) {
      throw new FormularyError(FormularyErrorCode.INVALID_CHANGE, 'Dose steps must be positive numbers in strictly ascending order.');
    }
    if (change.reason.trim().length < 10) throw new FormularyError(FormularyErrorCode.INVALID_CHANGE, 'Say why the limits change (at least 10 characters).');
    const drug = change.drug.trim().toLowerCase();
    return withTransaction(this.dataSource, async (manager) => {
      // Row lock on the newest version orders concurrent changes of a drug, so versions stay N, N+1.
      const previous = await manager.findOne(FormularyDrugEntity, { where: { drug }, order: { version: 'DESC' }, lock: { mode: 'pessimistic_write' } });
      if (!previous) throw new FormularyError(FormularyErrorCode.UNKNOWN_DRUG, `The formulary lists no drug named ${JSON.stringify(change.drug)}.`);
      const row = manager.create(FormularyDrugEntity, {
        drug,
        version: previous.version + 1,
        drugClass: previous.drugClass,
        stepsMg: steps.map(String),
        maxDailyMg: String(top),
        note: change.note.trim(),
        source: change.source.trim(),
        changedBy: clinician.userId,
        changeReason: change.reason.trim(),
      });
      const signature = await this.signatures.sign(manager, {
        signer: clinician,
        credentials,
        meaning: 'approved',
        record: { type: FORMULARY_RECORD_TYPE, id: `${drug}@${row.version}`, organizationId: clinician.organizationId, patientId: null, content: formularySignedContent(row) },
        meta,
      });
      row.signatureId = signature.id;
      const saved = await manager.save(row);
      await this.audit.append(manager, [
        {
          actor: auditActorFor(clinician),
          action: 'formulary.change',
          resource: { type: FORMULARY_RECORD_TYPE, id: `${drug}@${row.version}` },
          outcome: 'success',
          reason: row.changeReason,
          requestId: meta.requestId,
          payload: {
            drug,
            version: row.version,
            previousVersion: previous.version,
            signatureId: signature.id,
            before: { stepsMg: previous.stepsMg, maxDailyMg: previous.maxDailyMg },
            after: { stepsMg: row.stepsMg, maxDailyMg: row.maxDailyMg },
          },
        },
      ]);
      return toModel(saved);
    });
  }
}

function toModel(row: FormularyDrugEntity): FormularyDrugModel {
  return {
    drug: row.drug,
    drugClass: row.drugClass,
    stepsMg: row.stepsMg.map(Number),
    maxDailyMg: Number(row.maxDailyMg),
    note: row.note,
    source: row.source,
    version: row.version,
    changeReason: row.changeReason,
    signatureId: row.signatureId,
  };
}
