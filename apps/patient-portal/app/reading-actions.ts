'use server';

import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { unstable_rethrow } from 'next/navigation';
import { generalMessage, localInputToRfc3339 } from '@clinloop/portal-kit';
import { problemOf } from '@clinloop/portal-kit/api';
import { requireSession } from '@clinloop/portal-kit/session';
import { isCrisisRange, markReadingEnteredInError, submitReading, viewerOf } from '../lib/patient-api';
import { PATIENT_PORTAL } from '../lib/portal';

export interface ReadingFormState {
  readonly status: 'idle' | 'saved' | 'error';
  readonly message: string | null;
  /** The idempotency key of the next submission: the same one until a reading is stored, so a double submit stores once. */
  readonly idempotencyKey: string;
  /** The stored reading is in the crisis range: show the emergency guidance at once. */
  readonly crisisRange: boolean;
}

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
};

function wholeNumber(value: string): number | null {
  return /^\d{1,3}$/.test(value) ? Number(value) : null;
}

export async function submitReadingAction(previous: ReadingFormState, form: FormData): Promise<ReadingFormState> {
  const failed = (message: string): ReadingFormState => ({ ...previous, status: 'error', message, crisisRange: false });
  const systolic = wholeNumber(text(form, 'systolic'));
  const diastolic = wholeNumber(text(form, 'diastolic'));
  const heartRateText = text(form, 'heartRate');
  const heartRate = heartRateText === '' ? null : wholeNumber(heartRateText);
  if (systolic === null || diastolic === null) return failed('Enter the top (systolic) and bottom (diastolic) numbers as whole numbers, for example 128 and 82.');
  if (heartRateText !== '' && heartRate === null) return failed('Enter your pulse as a whole number, for example 72, or leave it empty.');
  const idempotencyKey = text(form, 'idempotencyKey');
  if (idempotencyKey === '') return failed('This form has expired. Reload the page and enter the reading again.');

  const session = await requireSession(PATIENT_PORTAL);
  try {
    const viewer = await viewerOf(session);
    if (!viewer) return failed('This account has no patient record.');
    const measuredAt = localInputToRfc3339(text(form, 'measuredAt'), viewer.patient.timeZone);
    if (measuredAt === null) return failed('Enter the date and time you measured, for example today at 08:30.');
    const { reading } = await submitReading(session, { patientId: viewer.patient.id, idempotencyKey, measuredAt, systolic, diastolic, heartRate });
    revalidatePath('/');
    return {
      status: 'saved',
      message: `Saved: ${systolic}/${diastolic} mmHg${heartRate === null ? '' : `, pulse ${heartRate}`}.`,
      idempotencyKey: randomUUID(),
      crisisRange: isCrisisRange(reading),
    };
  } catch (error) {
    unstable_rethrow(error); // a redirect to sign in again, not a failure to report
    return failed(generalMessage(problemOf(error)));
  }
}

export interface EnteredInErrorState {
  readonly status: 'idle' | 'done' | 'error';
  readonly message: string | null;
}

export async function markEnteredInErrorAction(_previous: EnteredInErrorState, form: FormData): Promise<EnteredInErrorState> {
  const readingId = text(form, 'readingId');
  const reason = text(form, 'reason');
  if (reason === '') return { status: 'error', message: 'Say briefly what was wrong, for example "cuff was loose".' };
  const session = await requireSession(PATIENT_PORTAL);
  try {
    await markReadingEnteredInError(session, readingId, reason);
    revalidatePath('/');
    return { status: 'done', message: 'Marked as entered in error. It stays in your record but is no longer used.' };
  } catch (error) {
    unstable_rethrow(error);
    return { status: 'error', message: generalMessage(problemOf(error)) };
  }
}
