import { describe, expect, it } from 'vitest';
import type { ApiProblem } from './messages';
import {
  passwordChangeRefusal,
  passwordJustChanged,
  readPasswordChangeForm,
  type PasswordChangeInput,
  type PasswordChangeRefusal,
  type PasswordChangeWording,
} from './password-change';

const WORDING: PasswordChangeWording = {
  missingFields: 'Fill in all three.',
  mismatch: 'The new passwords differ.',
  wrongCurrentPassword: 'The current password is wrong.',
  newPasswordRules: 'At least 12 characters.',
};

const form = (fields: Record<string, string>): FormData => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

const filled = { currentPassword: 'Temp-0ne-time', newPassword: 'three little words', confirmPassword: 'three little words' };
const refused = (message: string, field: 'currentPassword' | 'newPassword' | 'confirmPassword'): PasswordChangeInput => ({ ok: false, state: { message, field } });

describe('reading the change-password form', () => {
  it.each<[string, Record<string, string>, PasswordChangeInput]>([
    ['all three, matching', filled, { ok: true, currentPassword: filled.currentPassword, newPassword: filled.newPassword }],
    [
      'passwords are taken as typed, spaces included',
      { currentPassword: ' old ', newPassword: ' new one ', confirmPassword: ' new one ' },
      { ok: true, currentPassword: ' old ', newPassword: ' new one ' },
    ],
    ['no current password', { ...filled, currentPassword: '' }, refused(WORDING.missingFields, 'currentPassword')],
    ['no new password (and so no match either)', { currentPassword: 'x', confirmPassword: 'y' }, refused(WORDING.missingFields, 'newPassword')],
    ['no confirmation', { ...filled, confirmPassword: '' }, refused(WORDING.missingFields, 'confirmPassword')],
    ['the first empty field is named', {}, refused(WORDING.missingFields, 'currentPassword')],
    ['confirmation differs', { ...filled, confirmPassword: 'three little word' }, refused(WORDING.mismatch, 'confirmPassword')],
    ['confirmation differs only in case', { ...filled, confirmPassword: 'Three little words' }, refused(WORDING.mismatch, 'confirmPassword')],
    ['confirmation differs only by a trailing space', { ...filled, confirmPassword: 'three little words ' }, refused(WORDING.mismatch, 'confirmPassword')],
    // The API decides whether old and new may be the same (it refuses it, with its own message).
    ['new equals current: for the API to refuse', { currentPassword: 'same', newPassword: 'same', confirmPassword: 'same' }, { ok: true, currentPassword: 'same', newPassword: 'same' }],
  ])('%s', (_case, fields, expected) => {
    expect(readPasswordChangeForm(form(fields), WORDING)).toEqual(expected);
  });
});

const problem = (overrides: Partial<ApiProblem>): ApiProblem => ({ kind: 'api', code: null, errorCode: null, message: '', requestId: 'req-7', ...overrides });

describe('what an API refusal of changePassword means', () => {
  it.each<[string, ApiProblem, PasswordChangeRefusal]>([
    [
      'wrong current password (UNAUTHENTICATED, but the session goes on)',
      problem({ code: 'UNAUTHENTICATED', errorCode: 'AUTH_INVALID_CREDENTIALS', message: 'The current password is not correct.' }),
      { sessionEnded: false, state: { message: WORDING.wrongCurrentPassword, field: 'currentPassword' } },
    ],
    [
      'policy refusal: the API\'s own message',
      problem({ code: 'BAD_USER_INPUT', errorCode: 'AUTH_WEAK_PASSWORD', message: 'The password must be at least 12 characters.' }),
      { sessionEnded: false, state: { message: 'The password must be at least 12 characters.', field: 'newPassword' } },
    ],
    [
      'same as the current one: the API\'s own message',
      problem({ code: 'BAD_USER_INPUT', errorCode: 'AUTH_WEAK_PASSWORD', message: 'The new password must differ from the current one.' }),
      { sessionEnded: false, state: { message: 'The new password must differ from the current one.', field: 'newPassword' } },
    ],
    [
      'policy refusal without a message: the portal\'s rules',
      problem({ code: 'BAD_USER_INPUT', errorCode: 'AUTH_WEAK_PASSWORD', message: ' ' }),
      { sessionEnded: false, state: { message: WORDING.newPasswordRules, field: 'newPassword' } },
    ],
    ['session ended elsewhere', problem({ code: 'UNAUTHENTICATED', errorCode: 'AUTH_SESSION_ENDED' }), { sessionEnded: true }],
    ['access token expired', problem({ code: 'UNAUTHENTICATED', errorCode: 'AUTH_TOKEN_EXPIRED' }), { sessionEnded: true }],
    [
      'rate limited',
      problem({ code: 'TOO_MANY_REQUESTS', errorCode: 'RATE_LIMITED' }),
      { sessionEnded: false, state: { message: 'Too many requests in a short time. Wait a minute, then try again.', field: null } },
    ],
    [
      'API unreachable',
      problem({ kind: 'unreachable', requestId: null }),
      { sessionEnded: false, state: { message: 'ClinLoop cannot be reached right now. Check your connection and try again in a moment.', field: null } },
    ],
    [
      'internal error: a reference, never the detail',
      problem({ code: 'INTERNAL_SERVER_ERROR', errorCode: 'API_INTERNAL', message: 'TypeError at accounts.service.ts:170' }),
      { sessionEnded: false, state: { message: 'Something went wrong on our side (reference req-7). Please try again; if it keeps happening, contact support.', field: null } },
    ],
  ])('%s', (_case, given, expected) => {
    expect(passwordChangeRefusal(given, WORDING)).toEqual(expected);
  });
});

describe('the home page after a change', () => {
  it.each<[Record<string, string | string[] | undefined>, boolean]>([
    [{ changed: 'password' }, true],
    [{ changed: ['password', 'x'] }, true],
    [{ changed: 'other' }, false],
    [{}, false],
  ])('%j -> %s', (searchParams, expected) => {
    expect(passwordJustChanged(searchParams)).toBe(expected);
  });
});
