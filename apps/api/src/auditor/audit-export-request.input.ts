import { Field, ID, InputType, registerEnumType } from '@nestjs/graphql';
import type { ExportFormat } from '@clinloop/audit';

/** GraphQL names (upper case) of the export formats. */
export const AuditExportFormatEnum = { JSONL: 'jsonl', CSV: 'csv', FHIR: 'fhir' } as const satisfies Record<string, ExportFormat>;

registerEnumType(AuditExportFormatEnum, {
  name: 'AuditExportFormat',
  description: 'JSONL (verifiable with `clinloop audit verify`), CSV, or FHIR R4 AuditEvent bundle - the same bytes `clinloop audit export` writes.',
});

@InputType({ description: 'What to export; always limited to your organization (entries its people wrote or about its patients).' })
export class AuditExportRequestInput {
  @Field(() => AuditExportFormatEnum, { defaultValue: 'jsonl' })
  format!: ExportFormat;

  @Field(() => String, { nullable: true, description: 'ISO 8601 date or time, inclusive (a date without a zone is UTC).' })
  from?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 8601 date or time, exclusive.' })
  to?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only entries about this patient of your organization.' })
  patientId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only entries by this actor (a user id of your organization).' })
  actorId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only entries with this action, e.g. patient.read.' })
  action?: string | null;
}
