import { Field, Int, ObjectType } from '@nestjs/graphql';
import { GuardedByParent } from '@clinloop/authz';

@ObjectType('AuditTrailVerification', { description: 'Result of verifying the live audit trail (hash chain, Merkle tree, signed checkpoints).' })
@GuardedByParent()
export class AuditTrailVerificationModel {
  @Field({ description: 'True when every entry, link and checkpoint verifies.' })
  ok!: boolean;

  @Field(() => Int, { nullable: true, description: 'Entries checked (when intact).' })
  entries!: number | null;

  @Field(() => String, { nullable: true, description: 'Why it failed: hash-mismatch, gap, reorder, bad-proof, bad-signature, truncated, ...' })
  failureReason!: string | null;

  @Field(() => Int, { nullable: true, description: 'First broken sequence number, when the failure is about one entry.' })
  failedSeq!: number | null;

  @Field({ description: 'One line, as `clinloop audit verify --db` prints it.' })
  summary!: string;
}
