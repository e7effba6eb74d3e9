import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { OpenBreakGlassInput } from '../dto/auth.inputs';
import { BreakGlassGrantModel } from '../models/break-glass-grant.model';
import { metaOf, userOf } from '../request-principal';
import type { BreakGlassGrantEntity } from './break-glass-grant.entity';
import { BreakGlassService } from './break-glass.service';

function toModel(grant: BreakGlassGrantEntity, clinicianName: string): BreakGlassGrantModel {
  return {
    id: grant.id,
    clinicianId: grant.userId,
    clinicianName,
    patientId: grant.patientId,
    reason: grant.reason,
    openedAt: grant.openedAt,
    expiresAt: grant.expiresAt,
    authzSubject: { kind: 'BreakGlassGrant', id: grant.id, organizationId: grant.organizationId, ownerId: grant.userId },
  };
}

const DAY_MS = 86_400_000;

@Resolver(() => BreakGlassGrantModel)
export class BreakGlassResolver {
  constructor(private readonly breakGlass: BreakGlassService) {}

  @Mutation(() => BreakGlassGrantModel, { description: 'Emergency read access to a patient outside your care teams; a reason is required and audited.' })
  @RequireAbility('break-glass', 'Patient')
  async openBreakGlass(@Security() security: SecurityContext, @Args('input') input: OpenBreakGlassInput): Promise<BreakGlassGrantModel> {
    const clinician = userOf(security);
    return toModel(await this.breakGlass.open(clinician, input.patientId, input.reason ?? '', metaOf(security)), clinician.displayName);
  }

  @Query(() => [BreakGlassGrantModel], { description: 'Auditor report: break-glass grants opened in a time range (default: the last 30 days).' })
  @RequireAbility('read', 'BreakGlassGrant')
  async breakGlassReport(
    @Security() security: SecurityContext,
    @Args('from', { type: () => Date, nullable: true }) from: Date | null,
    @Args('to', { type: () => Date, nullable: true }) to: Date | null,
  ): Promise<BreakGlassGrantModel[]> {
    const until = to ?? new Date();
    const grants = await this.breakGlass.report(userOf(security), from ?? new Date(until.getTime() - 30 * DAY_MS), until);
    return grants.map((grant) => toModel(grant, grant.user.displayName)).filter((grant) => security.ability.can('read', grant.authzSubject));
  }
}
