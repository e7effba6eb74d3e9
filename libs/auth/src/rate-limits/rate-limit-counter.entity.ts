import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One caller's request count in the current rate-limit window, shared by every API replica
 * (PostgreSQL is the state the stateless API keeps). An UNLOGGED table: counters need no crash
 * safety and skip the write-ahead log (migrations/1795392700000-identity-and-access-gaps.ts).
 */
@Entity({ name: 'api_rate_limits' })
@Index('api_rate_limits_expires_at', ['expiresAt'])
export class RateLimitCounterEntity {
  /** `user:<id>`, `client:<id>` or `ip:<address>`. */
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'integer' })
  hits!: number;

  /** End of the window; the next request after it starts a new one. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
