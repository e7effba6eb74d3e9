import { Args, Query, Resolver } from '@nestjs/graphql';
import { RequireAbility } from '@clinloop/authz';
import { checkEnvelope, ClinicalError, ClinicalErrorCode, DEFAULT_RULES, describeZodError, envelopeInputSchema, type ClinicalRules } from '@clinloop/clinical';
import { FormularyService } from '@clinloop/formulary';
import { CheckProposalInput, EnvelopeDecisionModel } from './check-proposal.model';

/**
 * Drops nulls of optional fields (GraphQL sends null, the envelope schema wants them absent) and
 * turns instants into ISO text. A required-but-nullable field left out stays undefined, so the
 * envelope schema refuses it instead of reading it as "none".
 */
function toEnvelopeJson(input: CheckProposalInput): unknown {
  const { bounds } = input.patient;
  const boundsJson =
    bounds === null || bounds === undefined
      ? bounds
      : {
          version: bounds.version,
          targetSbp: bounds.targetSbp,
          targetDbp: bounds.targetDbp,
          allowedDrugs: bounds.allowedDrugs.map(({ drug, minDailyMg, maxDailyMg }) => ({ drug, minDailyMg, maxDailyMg })),
          ...(bounds.maxAutoIncreaseSteps == null ? {} : { maxAutoIncreaseSteps: bounds.maxAutoIncreaseSteps }),
          ...(bounds.minIncreaseIntervalDays == null ? {} : { minIncreaseIntervalDays: bounds.minIncreaseIntervalDays }),
          confidenceFloor: bounds.confidenceFloor,
          signedAt: bounds.signedAt ? bounds.signedAt.toISOString() : null,
          signedBy: bounds.signedBy ?? null,
        };
  const { patient, proposal } = input;
  return {
    now: input.now.toISOString(),
    patient: {
      regimen: patient.regimen.map(({ drug, dailyDoseMg }) => ({ drug, dailyDoseMg })),
      bounds: boundsJson,
      pregnant: patient.pregnant,
      angioedemaHistory: patient.angioedemaHistory,
      sulfonamideAllergy: patient.sulfonamideAllergy,
      anuria: patient.anuria,
      openAlerts: patient.openAlerts.map(({ condition, severity }) => ({ condition, severity })),
      lastIncreaseAt: patient.lastIncreaseAt ? patient.lastIncreaseAt.toISOString() : patient.lastIncreaseAt,
    },
    proposal: { drug: proposal.drug, fromMg: proposal.fromMg, toMg: proposal.toMg, confidence: proposal.confidence },
  };
}

/** Runs the envelope of the GraphQL input exactly as `clinloop envelope check` runs its JSON, under the given rules. */
export function checkProposalInput(input: CheckProposalInput, rules: ClinicalRules = DEFAULT_RULES): EnvelopeDecisionModel {
  const parsed = envelopeInputSchema.safeParse(toEnvelopeJson(input));
  if (!parsed.success) {
    throw new ClinicalError(ClinicalErrorCode.INVALID_INPUT, `invalid envelope input: ${describeZodError(parsed.error)}`);
  }
  const decision = checkEnvelope(parsed.data, rules);
  return {
    tier: decision.tier,
    urgent: decision.urgent,
    reasons: decision.reasons.map(({ rule, message }) => ({ rule, message })),
    rulesVersion: decision.rulesVersion,
    boundsVersion: decision.boundsVersion,
  };
}

@Resolver(() => EnvelopeDecisionModel)
export class CheckProposalResolver {
  constructor(private readonly formulary: FormularyService) {}

  @Query(() => EnvelopeDecisionModel, {
    description: 'What the safety envelope would do with a titration proposal (tier, urgency, deciding rules). Creates nothing; the input carries no identifiers.',
  })
  @RequireAbility('read', 'EnvelopeCheck')
  async checkProposal(@Args('input') input: CheckProposalInput): Promise<EnvelopeDecisionModel> {
    return checkProposalInput(input, await this.formulary.effectiveRules());
  }
}
