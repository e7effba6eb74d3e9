'use client';

import { useEffect, useState } from 'react';

const WARN_BEFORE_MS = 60_000;
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Automatic sign-off after the API's idle timeout without anyone at the keyboard. The queue refreshes
 * itself, which keeps the API session busy, so inactivity is measured here from the person's input;
 * the sign-in page then ends the session at the API too. A warning comes a minute before.
 */
export function IdleSignOut({ idleTimeoutSeconds, signInPath }: { idleTimeoutSeconds: number; signInPath: string }) {
  const [lastInput, setLastInput] = useState(() => Date.now());
  const [warning, setWarning] = useState(false);

  useEffect(() => {
    let last = Date.now();
    const onInput = (): void => {
      // Re-arm at most every few seconds: typing must not re-render the page per key.
      if (Date.now() - last > 5_000) {
        last = Date.now();
        setWarning(false);
        setLastInput(last);
      }
    };
    for (const event of ACTIVITY_EVENTS) window.addEventListener(event, onInput, { passive: true });
    return () => {
      for (const event of ACTIVITY_EVENTS) window.removeEventListener(event, onInput);
    };
  }, []);

  useEffect(() => {
    const timeoutMs = idleTimeoutSeconds * 1000;
    const warn = setTimeout(() => setWarning(true), Math.max(0, timeoutMs - WARN_BEFORE_MS));
    const end = setTimeout(() => window.location.assign(`${signInPath}?ended=idle`), timeoutMs);
    return () => {
      clearTimeout(warn);
      clearTimeout(end);
    };
  }, [idleTimeoutSeconds, signInPath, lastInput]);

  if (!warning) return null;
  return (
    <div className="banner banner--warning" role="alert">
      <p className="banner__title">Signing out for inactivity in about a minute</p>
      <p>Press any key or click anywhere to stay signed in.</p>
    </div>
  );
}
