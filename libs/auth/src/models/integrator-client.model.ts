import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GuardedBy, GuardedByParent, type OrganizationRecordSubject } from '@clinloop/authz';

@ObjectType('IntegratorClient', { description: "An integrator's OAuth2 client, bound to this organization." })
@GuardedBy('IntegratorClient')
export class IntegratorClientModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'Sent as `client_id` to POST /oauth/token.' })
  clientId!: string;

  @Field(() => [String], { description: 'Granted scopes, e.g. observations:write, recommendations:read.' })
  scopes!: string[];

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  /** For the ability check; not in the schema. */
  authzSubject!: OrganizationRecordSubject;
}

@ObjectType('CreatedIntegratorClient', { description: 'A new client and its secret, shown once.' })
@GuardedByParent()
export class CreatedIntegratorClientModel {
  @Field(() => IntegratorClientModel)
  client!: IntegratorClientModel;

  @Field({ description: 'Sent as `client_secret`; only its hash is stored.' })
  clientSecret!: string;
}
