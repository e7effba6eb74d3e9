import { describe, expect, it } from 'vitest';
import { endsSession, generalMessage, signInMessage, type ApiProblem } from './messages';

const apiError = (code: string, errorCode: string, message = 'api message'): ApiProblem => ({ kind: 'api', code, errorCode, message, requestId: 'req-1' });

describe('messages from coded API errors', () => {
  it.each([
    ['AUTH_INVALID_CREDENTIALS', 'patient', /e-mail or password is not correct/],
    ['AUTH_INVALID_CREDENTIALS', 'staff', /6-digit code is not correct/],
    ['AUTH_ACCOUNT_LOCKED', 'patient', /locked after too many failed sign-ins.*care team/],
    ['AUTH_ACCOUNT_LOCKED', 'staff', /locked after too many failed sign-ins.*administrator/],
    ['AUTH_MFA_REQUIRED', 'staff', /6-digit code from your authenticator app/],
    ['AUTH_MFA_NOT_ENROLLED', 'staff', /no authenticator app set up/],
    // A staff account on the patient portal (which never asks for a code): point to the right portal.
    ['AUTH_MFA_REQUIRED', 'patient', /This portal is for patients/],
  ] as const)('sign-in %s (%s)', (errorCode, audience, expected) => {
    const message = signInMessage(apiError('UNAUTHENTICATED', errorCode, 'internal wording'), audience);
    expect(message).toMatch(expected);
    expect(message).not.toContain('internal wording');
  });

  it('shows input errors as the API words them, and never an internal message', () => {
    expect(generalMessage(apiError('BAD_USER_INPUT', 'OBSERVATION_IMPLAUSIBLE', 'Systolic must be 50-300 mmHg.'))).toBe('Systolic must be 50-300 mmHg.');
    const internal = generalMessage(apiError('INTERNAL_SERVER_ERROR', 'API_INTERNAL', 'TypeError: x is undefined at foo.ts:12'));
    expect(internal).not.toContain('TypeError');
    expect(internal).toContain('reference req-1');
  });

  it('explains an unreachable API and a rate limit', () => {
    expect(generalMessage({ kind: 'unreachable', code: null, errorCode: null, message: 'ECONNREFUSED', requestId: null })).toMatch(/cannot be reached/);
    expect(signInMessage(apiError('RATE_LIMITED', 'RATE_LIMITED'), 'patient')).toMatch(/Too many attempts/);
  });

  it('ends the session only on UNAUTHENTICATED', () => {
    expect(endsSession(apiError('UNAUTHENTICATED', 'AUTH_SESSION_ENDED'))).toBe(true);
    expect(endsSession(apiError('FORBIDDEN', 'AUTHZ_FORBIDDEN'))).toBe(false);
    expect(endsSession({ kind: 'unreachable', code: null, errorCode: null, message: '', requestId: null })).toBe(false);
  });
});
