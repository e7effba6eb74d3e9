import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequireRouteAbility, Security, type SecurityContext } from '@clinloop/authz';
import { AuthError, AuthErrorCode } from '../errors';
import { metaOf } from '../request-principal';
import { ClientsService } from './clients.service';

interface TokenRequest {
  readonly grant_type?: unknown;
  readonly client_id?: unknown;
  readonly client_secret?: unknown;
  readonly scope?: unknown;
}

type OAuthError = 'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type';

const OAUTH_ERRORS: Partial<Record<AuthErrorCode, { error: OAuthError; status: number }>> = {
  [AuthErrorCode.CLIENT_INVALID]: { error: 'invalid_client', status: 401 },
  [AuthErrorCode.CLIENT_REVOKED]: { error: 'invalid_client', status: 401 },
  [AuthErrorCode.SCOPE_INVALID]: { error: 'invalid_scope', status: 400 },
  [AuthErrorCode.UNSUPPORTED_GRANT_TYPE]: { error: 'unsupported_grant_type', status: 400 },
};

/** Client id and secret from HTTP Basic (RFC 6749 2.3.1) or the body. */
function clientCredentials(body: TokenRequest, authorization: string | undefined): { id: string; secret: string } | undefined {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator > 0) return { id: decodeURIComponent(decoded.slice(0, separator)), secret: decodeURIComponent(decoded.slice(separator + 1)) };
  }
  if (typeof body.client_id === 'string' && typeof body.client_secret === 'string') return { id: body.client_id, secret: body.client_secret };
  return undefined;
}

/** OAuth2 token endpoint for integrators: the client credentials grant only (RFC 6749 4.4). */
@Controller('oauth')
export class OAuthTokenController {
  constructor(private readonly clients: ClientsService) {}

  @Post('token')
  @HttpCode(200)
  @RequireRouteAbility('create', 'Session')
  async token(
    @Body() body: TokenRequest | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Security() security: SecurityContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, string | number>> {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const request = body ?? {};
    const fail = (error: OAuthError, status: number, description: string): Record<string, string> => {
      void reply.status(status);
      if (error === 'invalid_client') void reply.header('www-authenticate', 'Basic realm="clinloop"');
      return { error, error_description: description, request_id: security.requestId };
    };
    if (request.grant_type !== 'client_credentials') return fail('unsupported_grant_type', 400, 'Only grant_type=client_credentials is supported.');
    const credentials = clientCredentials(request, authorization);
    if (!credentials) return fail('invalid_request', 400, 'Send client_id and client_secret (HTTP Basic or form fields).');
    try {
      const issued = await this.clients.issueToken(credentials.id, credentials.secret, typeof request.scope === 'string' ? request.scope : undefined, metaOf(security));
      return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresInSeconds, scope: issued.scopes.join(' ') };
    } catch (error) {
      const mapped = error instanceof AuthError ? OAUTH_ERRORS[error.code] : undefined;
      if (!mapped || !(error instanceof AuthError)) throw error;
      return fail(mapped.error, mapped.status, error.message);
    }
  }
}
