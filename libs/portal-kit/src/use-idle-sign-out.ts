'use client';

import { useCallback, useEffect, useState } from 'react';
import { idleSchedule, inputRestartsIdleClock } from './idle-timer';
import { sessionEndedPath } from './session-end';

const INPUT_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * What restarts the on-screen idle clock, besides loading the page and `stayActive()`:
 * - `input`: the person's pointer, keys, wheel or touch. For pages that refresh themselves: their
 *   requests keep the session busy at the API, so only input says someone is there.
 * - `page-load`: nothing else. The page's requests are what the API counts, and `stayActive()` goes
 *   with one (e.g. a "Stay signed in" button that refreshes the page).
 */
export type IdleActivity = 'input' | 'page-load';

export interface IdleSignOutOptions {
  /** The API's idle timeout for this session (from the session meta). */
  readonly idleTimeoutSeconds: number;
  readonly signInPath: string;
  readonly activity: IdleActivity;
}

export interface IdleSignOut {
  /** The sign-out is about a minute away: the page shows its warning. */
  readonly warning: boolean;
  /** Restarts the idle clock and hides the warning. */
  readonly stayActive: () => void;
}

/**
 * Signs out on screen once the session has been idle for the API's idle timeout (the sign-in page
 * then ends it at the API too, and says why), with a warning a minute before. Each portal shows the
 * warning in its own words.
 */
export function useIdleSignOut({
  idleTimeoutSeconds,
  signInPath,
  activity,
}: IdleSignOutOptions): IdleSignOut {
  const [activeAt, setActiveAt] = useState(() => Date.now());
  const [warning, setWarning] = useState(false);

  const stayActive = useCallback(() => {
    setWarning(false);
    setActiveAt(Date.now());
  }, []);

  useEffect(() => {
    if (activity !== 'input') return undefined;
    let restartedAt = Date.now();
    const onInput = (): void => {
      const now = Date.now();
      if (!inputRestartsIdleClock(restartedAt, now)) return;
      restartedAt = now;
      setWarning(false);
      setActiveAt(now);
    };
    for (const event of INPUT_EVENTS) window.addEventListener(event, onInput, { passive: true });
    return () => {
      for (const event of INPUT_EVENTS) window.removeEventListener(event, onInput);
    };
  }, [activity]);

  useEffect(() => {
    const { warnAfterMs, signOutAfterMs } = idleSchedule(idleTimeoutSeconds);
    const warn = setTimeout(() => setWarning(true), warnAfterMs);
    const end = setTimeout(
      () => window.location.assign(sessionEndedPath(signInPath, 'idle')),
      signOutAfterMs,
    );
    return () => {
      clearTimeout(warn);
      clearTimeout(end);
    };
  }, [idleTimeoutSeconds, signInPath, activeAt]);

  return { warning, stayActive };
}
