'use client';

import { useActionState } from 'react';
import { markEnteredInErrorAction, type EnteredInErrorState } from '../reading-actions';

/** "This reading is wrong": marks it entered in error with a reason. Nothing is deleted. */
export function EnteredInErrorForm({ readingId, label }: { readingId: string; label: string }) {
  const [state, formAction, pending] = useActionState<EnteredInErrorState, FormData>(markEnteredInErrorAction, { status: 'idle', message: null });
  if (state.status === 'done') {
    return (
      <p className="notice notice--ok" role="status">
        {state.message}
      </p>
    );
  }
  return (
    <details className="wrong-reading">
      <summary>
        This reading is wrong<span className="visually-hidden"> ({label})</span>
      </summary>
      <form action={formAction} className="form form--compact">
        <input type="hidden" name="readingId" value={readingId} />
        {state.message && (
          <p className="form-error" role="alert">
            {state.message}
          </p>
        )}
        <div className="field">
          <label htmlFor={`reason-${readingId}`}>What was wrong?</label>
          <input id={`reason-${readingId}`} name="reason" type="text" maxLength={500} placeholder="For example: the cuff was loose" required />
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? 'Saving…' : 'Mark as entered in error'}
        </button>
      </form>
    </details>
  );
}
