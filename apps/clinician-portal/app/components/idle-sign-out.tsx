'use client';

import { useIdleSignOut } from '@clinloop/portal-kit/idle-sign-out';

/**
 * Automatic sign-off after the API's idle timeout without anyone at the keyboard. The queue refreshes
 * itself, which keeps the API session busy, so inactivity is measured here from the person's input;
 * the sign-in page then ends the session at the API too. A warning comes a minute before.
 */
export function IdleSignOut({ idleTimeoutSeconds, signInPath }: { idleTimeoutSeconds: number; signInPath: string }) {
  const { warning } = useIdleSignOut({ idleTimeoutSeconds, signInPath, activity: 'input' });

  if (!warning) return null;
  return (
    <div className="banner banner--warning" role="alert">
      <p className="banner__title">Signing out for inactivity in about a minute</p>
      <p>Press any key or click anywhere to stay signed in.</p>
    </div>
  );
}
