import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { SignRecordInput, VerifySignatureInput } from '../dto/auth.inputs';
import { ElectronicSignatureModel, SignatureVerificationModel } from '../models/electronic-signature.model';
import { userOf } from '../request-principal';
import type { ElectronicSignatureEntity } from './electronic-signature.entity';
import { SignableRecordsService } from './signable-records.service';
import { SignatureService } from './signature.service';

export function signatureModel(signature: ElectronicSignatureEntity): ElectronicSignatureModel {
  return {
    id: signature.id,
    signerId: signature.signerId,
    printedName: signature.printedName,
    meaning: signature.meaning,
    signedAt: signature.signedAt,
    recordType: signature.recordType,
    recordId: signature.recordId,
    contentHash: signature.contentHash,
    authzSubject: { kind: 'ElectronicSignature', id: signature.id, organizationId: signature.organizationId },
  };
}

@Resolver(() => ElectronicSignatureModel)
export class SignaturesResolver {
  constructor(
    private readonly signable: SignableRecordsService,
    private readonly signatures: SignatureService,
  ) {}

  @Mutation(() => ElectronicSignatureModel, { description: 'Sign a record, re-entering your e-mail and password (21 CFR 11.200).' })
  @RequireAbility('create', 'ElectronicSignature')
  async signRecord(@Security() security: SecurityContext, @Args('input') input: SignRecordInput): Promise<ElectronicSignatureModel> {
    return signatureModel(await this.signable.sign(security, input));
  }

  @Query(() => SignatureVerificationModel, { description: 'Check that a signature belongs to this record and still matches its content.' })
  @RequireAbility('read', 'ElectronicSignature')
  async verifyElectronicSignature(@Security() security: SecurityContext, @Args('input') input: VerifySignatureInput): Promise<SignatureVerificationModel> {
    return { valid: true, signature: signatureModel(await this.signable.verify(security, input)) };
  }

  @Query(() => [ElectronicSignatureModel], { description: 'Signatures of one record.' })
  @RequireAbility('read', 'ElectronicSignature')
  async electronicSignatures(
    @Security() security: SecurityContext,
    @Args('recordType') recordType: string,
    @Args('recordId') recordId: string,
  ): Promise<ElectronicSignatureModel[]> {
    const signatures = await this.signatures.signaturesOf(userOf(security).organizationId, recordType, recordId);
    return signatures.map(signatureModel).filter((signature) => security.ability.can('read', signature.authzSubject));
  }
}
