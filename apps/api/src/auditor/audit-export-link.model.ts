import { Field, ObjectType } from '@nestjs/graphql';
import { GuardedByParent } from '@clinloop/authz';
import type { ExportFormat } from '@clinloop/audit';
import { AuditExportFormatEnum } from './audit-export-request.input';

@ObjectType('AuditExportLink', {
  description:
    'A download link for one audit export: works once, for five minutes, for the auditor it was issued to (while their session lasts). The export streams from it; verify the file offline with `clinloop audit verify FILE` and the audit public key.',
})
@GuardedByParent()
export class AuditExportLinkModel {
  @Field({ description: 'Absolute URL (PUBLIC_API_URL, else http://HOST:PORT) of the streamed download; needs no Authorization header.' })
  url!: string;

  @Field({ description: 'The same link relative to the API, for clients that know the API base URL.' })
  path!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => AuditExportFormatEnum)
  format!: ExportFormat;
}
