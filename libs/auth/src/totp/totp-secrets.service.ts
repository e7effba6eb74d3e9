import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { withTransaction } from '@clinloop/database';
import { AUDIT_APPENDER } from '../auth-settings';
import type { AuditAppender } from '../security-audit';
import { UserCredentialEntity } from '../sessions/user-credential.entity';
import { TotpSecretCipher } from './totp-secret-cipher';

/** Actor of the start-up sweep that encrypts legacy clear secrets. */
const SWEEP_ACTOR = { type: 'system', component: 'api:totp-secret-encryption' } as const;

/**
 * TOTP secrets as the rest of libs/auth sees them: sealed (AES-256-GCM) when stored, opened only to
 * check a code. Rows from before encryption hold the clear secret; they are sealed when the API
 * starts (a migration cannot: it has no key) and, should one slip in later (a seed run against an
 * older build), on the user's next sign-in.
 */
@Injectable()
export class TotpSecretsService implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: TotpSecretCipher,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
  ) {}

  seal(secret: string, userId: string): string {
    return this.cipher.seal(secret, userId);
  }

  /**
   * The clear secret of a stored row (`stored` is its non-null `totpSecret`). A legacy clear one is
   * sealed on the row and through `manager`, in the caller's transaction.
   */
  async open(manager: EntityManager, row: UserCredentialEntity, stored: string): Promise<string> {
    const opened = this.cipher.open(stored, row.userId);
    if (opened.needsSealing) {
      row.totpSecret = this.cipher.seal(opened.secret, row.userId);
      await manager.update(UserCredentialEntity, { userId: row.userId }, { totpSecret: row.totpSecret });
    }
    return opened.secret;
  }

  async onApplicationBootstrap(): Promise<void> {
    // `clinloop schema` builds the API without a database: nothing to seal there.
    if (this.dataSource.isInitialized) await this.sealLegacySecrets();
  }

  /**
   * Seals every clear secret left in `user_credentials`, audited as one entry. Rows another API
   * replica is sealing at the same moment are skipped (SKIP LOCKED), so replicas can start together.
   * @returns how many rows this call sealed
   */
  async sealLegacySecrets(): Promise<number> {
    return withTransaction(this.dataSource, async (manager) => {
      const rows = await manager.query<{ user_id: string; totp_secret: string }[]>(
        `SELECT "user_id", "totp_secret" FROM "user_credentials" WHERE "totp_secret" IS NOT NULL AND "totp_secret" NOT LIKE 'v1.%' FOR UPDATE SKIP LOCKED`,
      );
      for (const row of rows) {
        await manager.update(UserCredentialEntity, { userId: row.user_id }, { totpSecret: this.cipher.seal(row.totp_secret, row.user_id) });
      }
      if (rows.length > 0) {
        await this.audit.append(manager, [
          {
            actor: SWEEP_ACTOR,
            action: 'auth.totp_secrets_encrypted',
            resource: { type: 'UserCredentials', id: null },
            outcome: 'success',
            reason: `${rows.length} TOTP secret(s) stored in clear were encrypted at rest`,
            payload: { securityEvent: true, count: rows.length, keyId: this.cipher.keyId },
          },
        ]);
      }
      return rows.length;
    });
  }
}
