import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { AuditExportLinkModel } from './audit-export-link.model';
import { AuditExportRequestInput } from './audit-export-request.input';
import { AuditTrailVerificationModel } from './audit-trail-verification.model';
import { AuditorService } from './auditor.service';

@Resolver(() => AuditTrailVerificationModel)
export class AuditorResolver {
  constructor(private readonly auditor: AuditorService) {}

  @Query(() => AuditTrailVerificationModel, {
    description:
      'Verify the live audit trail in the database (auditors). An exported file is verified offline, by design, with `clinloop audit verify FILE` and the audit public key - never by uploading it to the system it audits.',
  })
  @RequireAbility('verify', 'AuditTrail')
  verifyAuditTrail(@Security() security: SecurityContext): Promise<AuditTrailVerificationModel> {
    return this.auditor.verify(security);
  }

  @Mutation(() => AuditExportLinkModel, {
    description:
      'Ask for an audit export of your organization (auditors): returns a single-use download link valid five minutes, from which the export streams (a GraphQL answer would be built in memory). Issuing and using the link are audited.',
  })
  @RequireAbility('export', 'AuditTrail')
  requestAuditExport(@Security() security: SecurityContext, @Args('input') input: AuditExportRequestInput): Promise<AuditExportLinkModel> {
    return this.auditor.requestExport(security, {
      format: input.format,
      from: input.from,
      to: input.to,
      patient: input.patientId,
      actor: input.actorId,
      action: input.action,
    });
  }
}
