import type { AppConfig } from '@clinloop/config';

/** The settings identity and access reads, taken from the one validated config. */
export interface AuthSettings {
  readonly lockoutThreshold: number;
  readonly lockoutMinutes: number;
  readonly idleTimeoutSeconds: number;
  readonly sessionMaxHours: number;
  readonly signatureLockoutThreshold: number;
  readonly breakGlassMinutes: number;
}

export function authSettingsFrom(config: AppConfig): AuthSettings {
  return {
    lockoutThreshold: config.authLockoutThreshold,
    lockoutMinutes: config.authLockoutMinutes,
    idleTimeoutSeconds: config.authIdleTimeoutSeconds,
    sessionMaxHours: config.authSessionMaxHours,
    signatureLockoutThreshold: config.authSignatureLockoutThreshold,
    breakGlassMinutes: config.authBreakGlassMinutes,
  };
}

/** Injection tokens of the auth module. */
export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');
export const AUDIT_APPENDER = Symbol('AUDIT_APPENDER');
export const CLOCK = Symbol('CLOCK');

/** The time, injected so tests can move it (token expiry, idle timeout, lockout windows). */
export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = { now: () => new Date() };
