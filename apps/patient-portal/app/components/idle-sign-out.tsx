'use client';

import { useRouter } from 'next/navigation';
import { useIdleSignOut } from '@clinloop/portal-kit/idle-sign-out';

/**
 * Signs out on screen when the session has been idle for the API's idle timeout (a shared or lost phone
 * must not stay signed in), with a warning a minute before. The server enforces the same timeout; this
 * only makes it visible. Activity is what the server sees: a page load, or "Stay signed in", which
 * makes one request.
 */
export function IdleSignOut({ idleTimeoutSeconds, signInPath }: { idleTimeoutSeconds: number; signInPath: string }) {
  const router = useRouter();
  const { warning, stayActive } = useIdleSignOut({ idleTimeoutSeconds, signInPath, activity: 'page-load' });

  if (!warning) return null;
  return (
    <div className="idle-warning" role="alert">
      <p>For your privacy you will be signed out in about a minute because nothing has happened for a while.</p>
      <button
        type="button"
        className="button button--primary"
        onClick={() => {
          stayActive();
          router.refresh();
        }}
      >
        Stay signed in
      </button>
    </div>
  );
}
