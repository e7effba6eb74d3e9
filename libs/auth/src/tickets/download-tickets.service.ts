import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal, UserPrincipal } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { CLOCK, type Clock } from '../auth-settings';
import { AuthError, AuthErrorCode } from '../errors';
import { newOpaqueToken, sha256Hex } from '../sessions/opaque-token';
import { PrincipalsService } from '../sessions/principals.service';
import { DownloadTicketEntity } from './download-ticket.entity';

/** How long a download link works. */
export const DOWNLOAD_TICKET_TTL_MS = 5 * 60_000;
const TICKET_PREFIX = 'cdt_';

export interface IssuedTicket {
  readonly id: string;
  /** The secret part of the link; shown once, stored only as its hash. */
  readonly token: string;
  readonly expiresAt: Date;
}

export interface RedeemedTicket {
  readonly id: string;
  readonly parameters: Record<string, unknown>;
  /** The user the ticket was issued to, as they are now (role, organization, session still valid). */
  readonly holder: UserPrincipal;
}

/**
 * Download links for what a GraphQL answer should not carry (a streamed audit export): a mutation
 * issues a ticket, a plain HTTP route redeems it. A ticket works once, for DOWNLOAD_TICKET_TTL_MS,
 * for what it was issued for; the holder's account and session must still be valid when it is used,
 * and a signed-in caller may only use their own. The ticket itself is the credential of the download
 * (a browser link cannot carry an Authorization header).
 */
@Injectable()
export class DownloadTicketsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly principals: PrincipalsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Stores a ticket in the caller's transaction (which also writes its audit entry). */
  async issue(manager: EntityManager, holder: UserPrincipal, purpose: string, parameters: Record<string, unknown>): Promise<IssuedTicket> {
    const token = newOpaqueToken(TICKET_PREFIX);
    const expiresAt = new Date(this.clock.now().getTime() + DOWNLOAD_TICKET_TTL_MS);
    const saved = await manager.save(
      manager.create(DownloadTicketEntity, {
        tokenHash: sha256Hex(token),
        purpose,
        parameters,
        userId: holder.userId,
        organizationId: holder.organizationId,
        sessionId: holder.sessionId,
        expiresAt,
        usedAt: null,
      }),
    );
    return { id: saved.id, token, expiresAt };
  }

  /**
   * Uses a ticket up (in its own committed transaction, before anything is sent).
   * @throws AuthError TICKET_INVALID / TICKET_EXPIRED / TICKET_USED / TICKET_NOT_YOURS, or SESSION_ENDED
   *   when the holder's session or account has ended since
   */
  async redeem(token: string, purpose: string, presenter: Principal): Promise<RedeemedTicket> {
    const now = this.clock.now();
    const outcome = await withTransaction(this.dataSource, async (manager): Promise<{ ticket: DownloadTicketEntity } | { error: AuthError }> => {
      const row = await manager.findOne(DownloadTicketEntity, { where: { tokenHash: sha256Hex(token), purpose }, lock: { mode: 'pessimistic_write' } });
      if (!row) return { error: new AuthError(AuthErrorCode.TICKET_INVALID, 'This download link is not valid.') };
      if (row.usedAt) return { error: new AuthError(AuthErrorCode.TICKET_USED, 'This download link was already used; request a new one.', { ticketId: row.id }) };
      if (row.expiresAt <= now) return { error: new AuthError(AuthErrorCode.TICKET_EXPIRED, 'This download link has expired; request a new one.', { ticketId: row.id }) };
      row.usedAt = now;
      await manager.save(row);
      // Someone else holds the link: it is spent all the same, so the leak cannot be used later either.
      if (presenter.kind !== 'anonymous' && (presenter.kind !== 'user' || presenter.userId !== row.userId)) {
        return { error: new AuthError(AuthErrorCode.TICKET_NOT_YOURS, 'This download link was issued to someone else.', { ticketId: row.id }) };
      }
      return { ticket: row };
    });
    if ('error' in outcome) throw outcome.error;
    const ticket = outcome.ticket;
    const holder = await this.principals.currentUser(ticket.userId, ticket.sessionId);
    if (holder.organizationId !== ticket.organizationId) throw new AuthError(AuthErrorCode.TICKET_INVALID, 'This download link is not valid.', { ticketId: ticket.id });
    return { id: ticket.id, parameters: ticket.parameters, holder };
  }
}
