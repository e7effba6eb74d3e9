'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';

const WARN_BEFORE_MS = 60_000;

/**
 * Signs out on screen when the session has been idle for the API's idle timeout (a shared or lost phone
 * must not stay signed in), with a warning a minute before. The server enforces the same timeout; this
 * only makes it visible. "Stay signed in" makes one request, which counts as activity.
 */
export function IdleSignOut({ idleTimeoutSeconds, signInPath }: { idleTimeoutSeconds: number; signInPath: string }) {
  const router = useRouter();
  const [renderedAt, setRenderedAt] = useState(() => Date.now());
  const [warning, setWarning] = useState(false);

  useEffect(() => {
    const timeoutMs = idleTimeoutSeconds * 1000;
    const warn = setTimeout(() => setWarning(true), Math.max(0, timeoutMs - WARN_BEFORE_MS));
    const end = setTimeout(() => window.location.assign(`${signInPath}?ended=idle`), timeoutMs);
    return () => {
      clearTimeout(warn);
      clearTimeout(end);
    };
  }, [idleTimeoutSeconds, signInPath, renderedAt]);

  if (!warning) return null;
  return (
    <div className="idle-warning" role="alert">
      <p>For your privacy you will be signed out in about a minute because nothing has happened for a while.</p>
      <button
        type="button"
        className="button button--primary"
        onClick={() => {
          setWarning(false);
          setRenderedAt(Date.now());
          router.refresh();
        }}
      >
        Stay signed in
      </button>
    </div>
  );
}
