'use client';

import { useActionState, useEffect, useRef } from 'react';
import { submitReadingAction, type ReadingFormState } from '../reading-actions';

/**
 * Manual entry of one reading. The idempotency key comes with the form and changes only once a reading
 * is stored, so pressing Save twice (or a retry after a lost answer) stores the reading once.
 */
export function ReadingForm({ idempotencyKey, defaultMeasuredAt, maxMeasuredAt }: { idempotencyKey: string; defaultMeasuredAt: string; maxMeasuredAt: string }) {
  const [state, formAction, pending] = useActionState<ReadingFormState, FormData>(submitReadingAction, {
    status: 'idle',
    message: null,
    idempotencyKey,
    crisisRange: false,
  });
  const resultRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.message) resultRef.current?.focus();
  }, [state]);

  return (
    <form id="reading-form" action={formAction} className="form" aria-describedby="reading-form-hint">
      <p className="hint" id="reading-form-hint">
        Readings you type in are shown to your care team. They do not change your medicine dose on their own.
      </p>
      {state.message && (
        <div
          ref={resultRef}
          tabIndex={-1}
          role={state.status === 'error' || state.crisisRange ? 'alert' : 'status'}
          className={state.status === 'error' ? 'form-error' : state.crisisRange ? 'crisis crisis--inline' : 'notice notice--ok'}
        >
          <p>{state.message}</p>
          {state.crisisRange && (
            <>
              <p>
                <strong>This reading is very high.</strong> If you have chest pain, shortness of breath, back pain, numbness or
                weakness, a change in your vision or difficulty speaking, <strong>call emergency services now</strong>.
              </p>
              <p>Otherwise, sit quietly for 5 minutes and measure again.</p>
            </>
          )}
        </div>
      )}
      <input type="hidden" name="idempotencyKey" value={state.idempotencyKey} />
      <div className="field-row">
        <div className="field">
          <label htmlFor="systolic">Top number (systolic)</label>
          <input id="systolic" name="systolic" type="text" inputMode="numeric" pattern="[0-9]*" maxLength={3} autoComplete="off" required />
        </div>
        <div className="field">
          <label htmlFor="diastolic">Bottom number (diastolic)</label>
          <input id="diastolic" name="diastolic" type="text" inputMode="numeric" pattern="[0-9]*" maxLength={3} autoComplete="off" required />
        </div>
      </div>
      <div className="field">
        <label htmlFor="heartRate">
          Pulse <span className="optional">(optional)</span>
        </label>
        <input id="heartRate" name="heartRate" type="text" inputMode="numeric" pattern="[0-9]*" maxLength={3} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="measuredAt">When you measured</label>
        <input id="measuredAt" name="measuredAt" type="datetime-local" required defaultValue={defaultMeasuredAt} max={maxMeasuredAt} />
      </div>
      <button type="submit" className="button button--primary button--wide" disabled={pending}>
        {pending ? 'Saving…' : 'Save reading'}
      </button>
    </form>
  );
}
