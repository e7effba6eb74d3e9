import { Controller, Get, Header } from '@nestjs/common';
import { RequireRouteAbility } from '@clinloop/authz';
import { TokenKeyRing, type PublishedKey } from './signing-keys';

/** Public keys that verify our access tokens (RFC 7517), for integrators and other services. */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: TokenKeyRing) {}

  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  @RequireRouteAbility('read', 'PublicKeys')
  jwks(): { keys: PublishedKey[] } {
    return this.keys.jwks();
  }
}
