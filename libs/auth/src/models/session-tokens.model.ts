import { Field, Int, ObjectType } from '@nestjs/graphql';
import { GuardedByParent } from '@clinloop/authz';

@ObjectType('SessionTokens', { description: 'A signed-in session: a short-lived access token and a one-use refresh token.' })
@GuardedByParent()
export class SessionTokensModel {
  @Field({ description: 'RS256 JWT; send as `Authorization: Bearer <token>`.' })
  accessToken!: string;

  @Field({ description: 'Always `Bearer`.' })
  tokenType!: string;

  @Field(() => Int, { description: 'Seconds until the access token expires.' })
  expiresIn!: number;

  @Field()
  accessTokenExpiresAt!: Date;

  @Field({ description: 'Use once with refreshSession; a second use signs the whole session out.' })
  refreshToken!: string;

  @Field()
  refreshTokenExpiresAt!: Date;

  @Field(() => Int, { description: 'The session ends after this many seconds without a request.' })
  idleTimeoutSeconds!: number;

  @Field({
    description:
      'The password was issued by an administrator: choose your own (changePassword). Until then only me, changePassword, refreshSession and signOut work; everything else answers AUTH_PASSWORD_CHANGE_REQUIRED.',
  })
  mustChangePassword!: boolean;
}
