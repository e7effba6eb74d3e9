import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { AccountsService } from '../accounts/accounts.service';
import { ChangePasswordInput, SignInInput } from '../dto/auth.inputs';
import { SessionTokensModel } from '../models/session-tokens.model';
import { metaOf, userOf } from '../request-principal';
import { SessionsService, type IssuedSession } from './sessions.service';

function toModel(session: IssuedSession): SessionTokensModel {
  return {
    accessToken: session.accessToken,
    tokenType: 'Bearer',
    expiresIn: session.expiresInSeconds,
    accessTokenExpiresAt: session.accessTokenExpiresAt,
    refreshToken: session.refreshToken,
    refreshTokenExpiresAt: session.refreshTokenExpiresAt,
    idleTimeoutSeconds: session.idleTimeoutSeconds,
    mustChangePassword: session.mustChangePassword,
  };
}

@Resolver(() => SessionTokensModel)
export class AuthResolver {
  constructor(
    private readonly sessions: SessionsService,
    private readonly accounts: AccountsService,
  ) {}

  @Mutation(() => SessionTokensModel, { description: 'Sign in with organization, e-mail, password and (staff) the authenticator code.' })
  @RequireAbility('create', 'Session')
  async signIn(@Security() security: SecurityContext, @Args('input') input: SignInInput): Promise<SessionTokensModel> {
    return toModel(await this.sessions.signIn(input, metaOf(security)));
  }

  @Mutation(() => SessionTokensModel, { description: 'Trade a refresh token (once) for new tokens.' })
  @RequireAbility('create', 'Session')
  async refreshSession(@Security() security: SecurityContext, @Args('refreshToken') refreshToken: string): Promise<SessionTokensModel> {
    return toModel(await this.sessions.refresh(refreshToken, metaOf(security)));
  }

  @Mutation(() => Boolean, { description: 'End this session: its access and refresh tokens stop working.' })
  @RequireAbility('delete', 'Session')
  async signOut(@Security() security: SecurityContext): Promise<boolean> {
    await this.sessions.signOut(userOf(security), metaOf(security));
    return true;
  }

  @Mutation(() => Boolean, {
    description: 'Change your password; this session goes on, your other sessions end. A wrong current password counts toward the sign-in lockout.',
  })
  @RequireAbility('update', 'Credentials')
  async changePassword(@Security() security: SecurityContext, @Args('input') input: ChangePasswordInput): Promise<boolean> {
    await this.accounts.changePassword(userOf(security), input.currentPassword, input.newPassword, metaOf(security));
    return true;
  }
}
