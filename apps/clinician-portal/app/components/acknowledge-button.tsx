'use client';

import { useActionState, useEffect, useRef } from 'react';
import { acknowledgeAction, type AcknowledgeState } from '../actions';

/**
 * The acknowledgment cell of one queue row: the button while the alert is unacknowledged, the time it
 * was acknowledged afterwards. After acknowledging, focus moves to the next alert still to acknowledge,
 * so a keyboard user works down the queue without hunting for the next button. (One component for both
 * states, so it stays mounted when the refreshed queue arrives and the focus move still happens.)
 */
export function AcknowledgeCell({
  alertId,
  patientName,
  severity,
  acknowledgedLabel,
}: {
  alertId: string;
  patientName: string;
  severity: string;
  /** Null while unacknowledged. */
  acknowledgedLabel: string | null;
}) {
  const [state, formAction, pending] = useActionState<AcknowledgeState, FormData>(acknowledgeAction, { status: 'idle', message: null });
  const cellRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.status !== 'done') return;
    const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>('button[data-acknowledge]'));
    const here = cellRef.current;
    const next = buttons.find((button) => here !== null && (here.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0) ?? buttons[0];
    (next ?? document.getElementById('queue-heading'))?.focus();
  }, [state]);

  if (acknowledgedLabel !== null || state.status === 'done') {
    return (
      <div ref={cellRef}>
        <span className="pill pill--ok" role={state.status === 'done' ? 'status' : undefined}>
          {acknowledgedLabel ?? 'Acknowledged'}
        </span>
      </div>
    );
  }
  return (
    <div ref={cellRef}>
      <form action={formAction} className="ack-form">
        <input type="hidden" name="alertId" value={alertId} />
        <button
          type="submit"
          className={severity === 'CRITICAL' ? 'button button--critical' : 'button'}
          data-acknowledge=""
          disabled={pending}
          aria-label={`Acknowledge ${severity.toLowerCase()} alert for ${patientName}`}
        >
          {pending ? 'Acknowledging…' : 'Acknowledge'}
        </button>
        {state.status === 'error' && (
          <p className="error-text" role="alert">
            {state.message}
          </p>
        )}
      </form>
    </div>
  );
}
