import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GuardedBy, GuardedByParent, type OrganizationRecordSubject } from '@clinloop/authz';
import { UserRoleEnum, type UserRole } from '@clinloop/organizations';

@ObjectType('UserAccount', { description: 'A user of the organization, as its administrators see it (no PHI).' })
@GuardedBy('User')
export class UserAccountModel {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field()
  displayName!: string;

  @Field(() => UserRoleEnum)
  role!: UserRole;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  deactivatedAt!: Date | null;

  @Field({ description: 'Locked out of sign-in after repeated failures.' })
  signInLocked!: boolean;

  @Field({ description: 'Locked out of e-signatures after repeated failures (only an admin unlocks).' })
  signingLocked!: boolean;

  @Field({ description: 'Has an authenticator (TOTP) enrolled.' })
  secondFactorEnrolled!: boolean;

  /** For the ability check; not in the schema. */
  authzSubject!: OrganizationRecordSubject;
}

@ObjectType('ProvisionedUser', { description: 'A new account and its first credentials, shown once.' })
@GuardedByParent()
export class ProvisionedUserModel {
  @Field(() => UserAccountModel)
  user!: UserAccountModel;

  @Field({ description: 'One-time password; the user must change it at first sign-in.' })
  temporaryPassword!: string;

  @Field(() => String, { nullable: true, description: 'TOTP secret (base32) for clinicians, auditors and admins.' })
  totpSecret!: string | null;

  @Field(() => String, { nullable: true, description: 'otpauth:// URI of the secret, for a QR code.' })
  totpUri!: string | null;
}
