import { Query, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { AuditTrailVerificationModel } from './audit-trail-verification.model';
import { AuditorService } from './auditor.service';

@Resolver(() => AuditTrailVerificationModel)
export class AuditorResolver {
  constructor(private readonly auditor: AuditorService) {}

  @Query(() => AuditTrailVerificationModel, {
    description: 'Verify the live audit trail (auditors). Exports stream from GET /audit/export?format=jsonl|csv|fhir&from&to&patient&actor&action.',
  })
  @RequireAbility('verify', 'AuditTrail')
  verifyAuditTrail(@Security() security: SecurityContext): Promise<AuditTrailVerificationModel> {
    return this.auditor.verify(security);
  }
}
