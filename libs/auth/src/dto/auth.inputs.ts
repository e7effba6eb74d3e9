import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { UserRoleEnum, type UserRole } from '@clinloop/organizations';
import { SignatureMeaningEnum } from '../models/electronic-signature.model';
import type { SignatureMeaning } from '../signatures/electronic-signature.entity';

@InputType()
export class SignInInput {
  @Field({ description: 'Organization handle, e.g. demo-clinic.' })
  organization!: string;

  @Field()
  email!: string;

  @Field()
  password!: string;

  @Field(() => String, { nullable: true, description: 'The 6-digit authenticator code (clinicians, auditors, admins).' })
  totpCode?: string | null;
}

@InputType()
export class ChangePasswordInput {
  @Field()
  currentPassword!: string;

  @Field({ description: 'At least 12 characters; not a common password; not your e-mail or name.' })
  newPassword!: string;
}

@InputType()
export class CreateUserInput {
  @Field()
  email!: string;

  @Field()
  displayName!: string;

  @Field(() => UserRoleEnum)
  role!: UserRole;

  @Field(() => String, { nullable: true, description: 'For a patient account: the MRN of their record.' })
  patientMrn?: string | null;
}

@InputType()
export class CreateIntegratorClientInput {
  @Field()
  name!: string;

  @Field(() => [String], { description: 'patients:read, observations:read, observations:write, recommendations:read, alerts:read' })
  scopes!: string[];
}

@InputType()
export class OpenBreakGlassInput {
  @Field(() => ID)
  patientId!: string;

  @Field(() => String, { nullable: true, description: 'Why you need emergency access (required; recorded for the auditors).' })
  reason?: string | null;
}

@InputType()
export class SignRecordInput {
  @Field({ description: 'Kind of record, e.g. RegimenVersion.' })
  recordType!: string;

  @Field(() => ID)
  recordId!: string;

  @Field(() => SignatureMeaningEnum)
  meaning!: SignatureMeaning;

  @Field({ description: 'Re-enter your identification code (sign-in e-mail).' })
  email!: string;

  @Field({ description: 'Re-enter your password.' })
  password!: string;
}

@InputType()
export class VerifySignatureInput {
  @Field(() => ID)
  signatureId!: string;

  @Field()
  recordType!: string;

  @Field(() => ID)
  recordId!: string;
}

@InputType()
export class AddCareTeamMemberInput {
  @Field(() => ID)
  careTeamId!: string;

  @Field(() => ID, { description: 'An active clinician of your organization.' })
  userId!: string;

  @Field(() => Int, { description: '1 is notified first when a CRITICAL alert is not acknowledged; unique within the team.' })
  escalationOrder!: number;
}

@InputType()
export class RemoveCareTeamMemberInput {
  @Field(() => ID)
  careTeamId!: string;

  @Field(() => ID)
  userId!: string;
}

@InputType()
export class CareTeamPatientInput {
  @Field(() => ID)
  careTeamId!: string;

  @Field(() => ID)
  patientId!: string;
}
