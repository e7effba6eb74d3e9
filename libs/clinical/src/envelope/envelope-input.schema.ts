import { z } from 'zod';
import { ClinicalError, ClinicalErrorCode } from '../errors';
import { normalizeDrugName } from '../formulary/formulary';
import { ALERT_CONDITIONS, ALERT_SEVERITIES } from '../vocabulary';
import { EnvelopeInput } from './envelope';

/**
 * Schemas for the envelope-check JSON (CLI `envelope check`, GraphQL). Every field is required
 * unless marked optional: a missing pregnancy or allergy flag must never read as "no".
 * Objects are strict so a misspelled optional field is an error, not a silent default.
 */
const isoInstant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const drugName = z.string().trim().min(1, 'drug name must not be empty');

const regimenItemSchema = z.strictObject({
  drug: drugName,
  dailyDoseMg: z.number().positive(),
});

const regimenSchema = z.array(regimenItemSchema).superRefine((regimen, context) => {
  const seen = new Set<string>();
  regimen.forEach((item, index) => {
    const drug = normalizeDrugName(item.drug);
    if (seen.has(drug)) {
      context.addIssue({
        code: 'custom',
        path: [index, 'drug'],
        message: `${drug} is listed more than once`,
      });
    }
    seen.add(drug);
  });
});

export const safetyBoundsSchema = z.strictObject({
  version: z.string().trim().min(1),
  targetSbp: z.number().positive(),
  targetDbp: z.number().positive(),
  allowedDrugs: z.array(
    z.strictObject({
      drug: drugName,
      minDailyMg: z.number().min(0),
      maxDailyMg: z.number().positive(),
    }),
  ),
  maxAutoIncreaseSteps: z.number().int().min(0).optional(),
  minIncreaseIntervalDays: z.number().min(0).optional(),
  confidenceFloor: z.number().min(0).max(1),
  signedAt: isoInstant.nullable().optional(),
  signedBy: z.string().trim().min(1).nullable().optional(),
});

export const envelopeInputSchema = z.strictObject({
  now: isoInstant,
  patient: z.strictObject({
    regimen: regimenSchema,
    bounds: safetyBoundsSchema.nullable(),
    pregnant: z.boolean(),
    angioedemaHistory: z.boolean(),
    sulfonamideAllergy: z.boolean(),
    anuria: z.boolean(),
    openAlerts: z.array(
      z.strictObject({ condition: z.enum(ALERT_CONDITIONS), severity: z.enum(ALERT_SEVERITIES) }),
    ),
    lastIncreaseAt: isoInstant.nullable(),
  }),
  proposal: z.strictObject({
    drug: drugName,
    fromMg: z.number().min(0),
    toMg: z.number().min(0),
    confidence: z.number().min(0).max(1),
  }),
});

function formatPath(path: readonly PropertyKey[]): string {
  const formatted = path
    .map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`))
    .join('')
    .replace(/^\./, '');
  return formatted === '' ? '(root)' : formatted;
}

/** One line naming every bad field, e.g. `[1].patient.pregnant: Invalid input: expected boolean, received undefined`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
}

export interface ParsedEnvelopeInputs {
  readonly inputs: readonly EnvelopeInput[];
  /** Whether the JSON was an array, so the output can mirror its shape. */
  readonly wasArray: boolean;
}

/**
 * Parses one envelope input or an array of them.
 * @throws ClinicalError INVALID_INPUT naming each bad field
 */
export function parseEnvelopeInputs(json: unknown): ParsedEnvelopeInputs {
  const wasArray = Array.isArray(json);
  const result = wasArray
    ? z.array(envelopeInputSchema).safeParse(json)
    : envelopeInputSchema.safeParse(json);
  if (!result.success) {
    throw new ClinicalError(
      ClinicalErrorCode.INVALID_INPUT,
      `invalid envelope input: ${describeZodError(result.error)}`,
      {
        issues: result.error.issues,
      },
    );
  }
  const inputs: readonly EnvelopeInput[] = Array.isArray(result.data) ? result.data : [result.data];
  return { inputs, wasArray };
}
