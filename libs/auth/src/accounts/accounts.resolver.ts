import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import type { UserEntity } from '@clinloop/organizations';
import { CreateUserInput } from '../dto/auth.inputs';
import { ProvisionedUserModel, UserAccountModel } from '../models/user-account.model';
import { metaOf, userOf } from '../request-principal';
import type { UserCredentialEntity } from '../sessions/user-credential.entity';
import { AccountsService } from './accounts.service';

@Resolver(() => UserAccountModel)
export class AccountsResolver {
  constructor(private readonly accounts: AccountsService) {}

  @Query(() => [UserAccountModel], { description: 'Users of your organization (admins; auditors read).' })
  @RequireAbility('read', 'User')
  async users(@Security() security: SecurityContext): Promise<UserAccountModel[]> {
    const users = await this.accounts.list(userOf(security));
    return this.withCredentials(security, users);
  }

  @Mutation(() => ProvisionedUserModel, { description: 'Create a user with a one-time password (and an authenticator secret for staff).' })
  @RequireAbility('create', 'User')
  async createUser(@Security() security: SecurityContext, @Args('input') input: CreateUserInput): Promise<ProvisionedUserModel> {
    const provisioned = await this.accounts.create(userOf(security), input, metaOf(security));
    const [user] = await this.withCredentials(security, [provisioned.user]);
    return { user: user ?? toModel(provisioned.user, undefined, new Date()), temporaryPassword: provisioned.temporaryPassword, totpSecret: provisioned.totpSecret, totpUri: provisioned.totpUri };
  }

  @Mutation(() => UserAccountModel, { description: 'Clear a sign-in lockout and a signing lock.' })
  @RequireAbility('update', 'User')
  async unlockUser(@Security() security: SecurityContext, @Args('userId', { type: () => ID }) userId: string): Promise<UserAccountModel> {
    return this.single(security, await this.accounts.unlock(userOf(security), userId, metaOf(security)));
  }

  @Mutation(() => UserAccountModel, { description: 'Deactivate a user: no more sign-ins, open sessions end; history stays.' })
  @RequireAbility('update', 'User')
  async deactivateUser(@Security() security: SecurityContext, @Args('userId', { type: () => ID }) userId: string): Promise<UserAccountModel> {
    return this.single(security, await this.accounts.deactivate(userOf(security), userId, metaOf(security)));
  }

  private async single(security: SecurityContext, user: UserEntity): Promise<UserAccountModel> {
    const [model] = await this.withCredentials(security, [user]);
    return model ?? toModel(user, undefined, new Date());
  }

  private async withCredentials(security: SecurityContext, users: UserEntity[]): Promise<UserAccountModel[]> {
    const credentials = await this.accounts.credentialsOf(users.map((user) => user.id));
    const byUser = new Map(credentials.map((credential) => [credential.userId, credential]));
    const now = new Date();
    return users.map((user) => toModel(user, byUser.get(user.id), now)).filter((model) => security.ability.can('read', model.authzSubject));
  }
}

function toModel(user: UserEntity, credential: UserCredentialEntity | undefined, now: Date): UserAccountModel {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    createdAt: user.createdAt,
    deactivatedAt: user.deactivatedAt,
    signInLocked: credential?.lockedUntil ? credential.lockedUntil > now : false,
    signingLocked: credential?.signingLockedAt != null,
    secondFactorEnrolled: credential?.totpSecret != null,
    authzSubject: { kind: 'User', id: user.id, organizationId: user.organizationId },
  };
}
