import { MigrationInterface } from 'typeorm';
import { InitialSchema1795392000000 } from './1795392000000-initial-schema';
import { AuditTrail1795392100000 } from './1795392100000-audit-trail';
import { IdentityAndAccess1795392200000 } from './1795392200000-identity-and-access';
import { Observations1795392300000 } from './1795392300000-observations';
import { SafetyBounds1795392400000 } from './1795392400000-safety-bounds';
import { Alerts1795392500000 } from './1795392500000-alerts';
import { AlertEpisodesAndNotifications1795392600000 } from './1795392600000-alert-episodes-and-notifications';
import { IdentityAndAccessGaps1795392700000 } from './1795392700000-identity-and-access-gaps';
import { LocalDayFeatureWindows1795392800000 } from './1795392800000-local-day-feature-windows';
import { AuditEntryEncodingV21795392900000 } from './1795392900000-audit-entry-encoding-v2';
import { IncrementalFeatureWindows1795393000000 } from './1795393000000-incremental-feature-windows';

/** Every migration, oldest first. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly (new () => MigrationInterface)[] = [
  InitialSchema1795392000000,
  AuditTrail1795392100000,
  IdentityAndAccess1795392200000,
  Observations1795392300000,
  SafetyBounds1795392400000,
  Alerts1795392500000,
  AlertEpisodesAndNotifications1795392600000,
  IdentityAndAccessGaps1795392700000,
  LocalDayFeatureWindows1795392800000,
  AuditEntryEncodingV21795392900000,
  IncrementalFeatureWindows1795393000000,
];
