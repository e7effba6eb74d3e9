import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GuardedBy, GuardedByParent, type OrganizationRecordSubject } from '@clinloop/authz';
import { SIGNATURE_MEANINGS, type SignatureMeaning } from '../signatures/electronic-signature.entity';

export const SignatureMeaningEnum = Object.fromEntries(SIGNATURE_MEANINGS.map((meaning) => [meaning.toUpperCase(), meaning])) as Record<
  Uppercase<SignatureMeaning>,
  SignatureMeaning
>;
registerEnumType(SignatureMeaningEnum, { name: 'SignatureMeaning', description: 'What a signature means (21 CFR 11.50(a)(3)).' });

@ObjectType('ElectronicSignature', { description: 'A signature manifestation: printed name, date and time, meaning (21 CFR 11.50).' })
@GuardedBy('ElectronicSignature')
export class ElectronicSignatureModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  signerId!: string;

  @Field({ description: "The signer's name as printed at signing." })
  printedName!: string;

  @Field(() => SignatureMeaningEnum)
  meaning!: SignatureMeaning;

  @Field()
  signedAt!: Date;

  @Field()
  recordType!: string;

  @Field(() => ID)
  recordId!: string;

  @Field({ description: 'SHA-256 (hex) of exactly what was signed, bound to the record.' })
  contentHash!: string;

  /** For the ability check; not in the schema. */
  authzSubject!: OrganizationRecordSubject;
}

@ObjectType('SignatureVerification', { description: 'A signature that belongs to this record and still matches its content.' })
@GuardedByParent()
export class SignatureVerificationModel {
  @Field()
  valid!: boolean;

  @Field(() => ElectronicSignatureModel)
  signature!: ElectronicSignatureModel;
}
