/**
 * The on-screen idle sign-out's timing, as pure decisions (the hook in use-idle-sign-out.ts runs them).
 * The API and the proxy enforce the idle timeout whatever the page does; the page shows it coming and
 * leaves when it has passed.
 */

/** How long before the sign-out the warning shows: enough to notice it and press a key or a button. */
export const IDLE_WARNING_LEAD_MS = 60_000;

/**
 * Input restarts the idle clock at most this often: a restart re-renders, and typing must not
 * re-render the page for every key.
 */
export const INPUT_RESTART_INTERVAL_MS = 5_000;

export interface IdleSchedule {
  /** Milliseconds after the last activity at which the warning shows. */
  readonly warnAfterMs: number;
  /** Milliseconds after the last activity at which the page signs out. */
  readonly signOutAfterMs: number;
}

/** When to warn and when to sign out; with a timeout shorter than the warning lead, the warning shows at once. */
export function idleSchedule(idleTimeoutSeconds: number): IdleSchedule {
  const signOutAfterMs = idleTimeoutSeconds * 1000;
  return { warnAfterMs: Math.max(0, signOutAfterMs - IDLE_WARNING_LEAD_MS), signOutAfterMs };
}

/** Whether input at `now` restarts an idle clock last restarted at `restartedAt` (epoch milliseconds). */
export function inputRestartsIdleClock(restartedAt: number, now: number): boolean {
  return now - restartedAt > INPUT_RESTART_INTERVAL_MS;
}
