import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { CreateIntegratorClientInput } from '../dto/auth.inputs';
import { CreatedIntegratorClientModel, IntegratorClientModel } from '../models/integrator-client.model';
import { metaOf, userOf } from '../request-principal';
import { ClientsService } from './clients.service';
import type { IntegratorClientEntity } from './integrator-client.entity';

function toModel(client: IntegratorClientEntity): IntegratorClientModel {
  return {
    id: client.id,
    name: client.name,
    clientId: client.clientId,
    scopes: client.scopes,
    createdAt: client.createdAt,
    revokedAt: client.revokedAt,
    authzSubject: { kind: 'IntegratorClient', id: client.id, organizationId: client.organizationId },
  };
}

@Resolver(() => IntegratorClientModel)
export class ClientsResolver {
  constructor(private readonly clients: ClientsService) {}

  @Query(() => [IntegratorClientModel], { description: "Your organization's integrator clients (admins)." })
  @RequireAbility('read', 'IntegratorClient')
  async integratorClients(@Security() security: SecurityContext): Promise<IntegratorClientModel[]> {
    return (await this.clients.list(userOf(security))).map(toModel).filter((client) => security.ability.can('read', client.authzSubject));
  }

  @Mutation(() => CreatedIntegratorClientModel, { description: 'Create an integrator client; its secret is shown once.' })
  @RequireAbility('create', 'IntegratorClient')
  async createIntegratorClient(@Security() security: SecurityContext, @Args('input') input: CreateIntegratorClientInput): Promise<CreatedIntegratorClientModel> {
    const created = await this.clients.create(userOf(security), input.name, input.scopes, metaOf(security));
    return { client: toModel(created.client), clientSecret: created.clientSecret };
  }

  @Mutation(() => IntegratorClientModel, { description: 'Revoke an integrator client: its tokens stop working at once.' })
  @RequireAbility('revoke', 'IntegratorClient')
  async revokeIntegratorClient(@Security() security: SecurityContext, @Args('id', { type: () => ID }) id: string): Promise<IntegratorClientModel> {
    return toModel(await this.clients.revoke(userOf(security), id, metaOf(security)));
  }
}
