'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useTransition } from 'react';

const REFRESH_MS = 60_000;

/** Re-reads the queue every minute (new alerts appear without a reload) and on demand. */
export function QueueRefresher({ renderedAt }: { renderedAt: string }) {
  const router = useRouter();
  const [refreshing, startTransition] = useTransition();
  useEffect(() => {
    const timer = setInterval(() => startTransition(() => router.refresh()), REFRESH_MS);
    return () => clearInterval(timer);
  }, [router]);
  const time = new Date(renderedAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return (
    <div className="status-actions">
      <p className="status-line">
        Updated {time} · refreshes every minute
      </p>
      <button type="button" className="button" disabled={refreshing} onClick={() => startTransition(() => router.refresh())}>
        {refreshing ? 'Refreshing…' : 'Refresh now'}
      </button>
    </div>
  );
}
