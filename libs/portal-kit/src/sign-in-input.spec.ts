import { describe, expect, it } from 'vitest';
import type { SignInCredentials } from './session-api';
import {
  formText,
  initialSignInState,
  readSignInForm,
  type SignInInput,
  type SignInRules,
} from './sign-in-input';

const PATIENT: SignInRules = {
  audience: 'patient',
  wrongPortalMessage: 'patients only',
  missingFieldsMessage: 'Enter your clinic code, e-mail and password.',
};
const STAFF: SignInRules = {
  audience: 'staff',
  wrongPortalMessage: 'staff only',
  missingFieldsMessage: 'Enter your organization, e-mail and password.',
  totpCode: { invalidMessage: 'Enter the 6-digit code from your authenticator app.' },
};

const form = (fields: Record<string, string>): FormData => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

const filled = { organization: 'demo-clinic', email: 'maria@example.test', password: 'pw' };
const signIn = (credentials: SignInCredentials): SignInInput => ({ ok: true, credentials });
const refused = (message: string, organization: string, email: string): SignInInput => ({
  ok: false,
  state: { message, organization, email },
});

describe('reading the sign-in form', () => {
  it.each<[string, SignInRules, Record<string, string>, SignInInput]>([
    ['patient: the three fields', PATIENT, filled, signIn(filled)],
    [
      'organization and e-mail are trimmed, the password is not',
      PATIENT,
      { organization: ' demo-clinic ', email: ' maria@example.test\t', password: ' pw ' },
      signIn({ organization: 'demo-clinic', email: 'maria@example.test', password: ' pw ' }),
    ],
    [
      'patient: a code sent anyway is not passed on',
      PATIENT,
      { ...filled, totpCode: '123456' },
      signIn(filled),
    ],
    [
      'missing organization',
      PATIENT,
      { ...filled, organization: '  ' },
      refused(PATIENT.missingFieldsMessage, '', filled.email),
    ],
    [
      'missing e-mail',
      PATIENT,
      { organization: 'demo-clinic', password: 'pw' },
      refused(PATIENT.missingFieldsMessage, 'demo-clinic', ''),
    ],
    [
      'missing password',
      PATIENT,
      { ...filled, password: '' },
      refused(PATIENT.missingFieldsMessage, 'demo-clinic', filled.email),
    ],
    [
      'staff: with the code',
      STAFF,
      { ...filled, totpCode: '123456' },
      signIn({ ...filled, totpCode: '123456' }),
    ],
    [
      'staff: the code as the app shows it, "123 456"',
      STAFF,
      { ...filled, totpCode: ' 123 456 ' },
      signIn({ ...filled, totpCode: '123456' }),
    ],
    [
      'staff: missing fields are named before the code',
      STAFF,
      { organization: 'demo-clinic', totpCode: 'x' },
      refused(STAFF.missingFieldsMessage, 'demo-clinic', ''),
    ],
    [
      'staff: no code',
      STAFF,
      filled,
      refused(STAFF.totpCode?.invalidMessage ?? '', 'demo-clinic', filled.email),
    ],
    [
      'staff: five digits',
      STAFF,
      { ...filled, totpCode: '12345' },
      refused(STAFF.totpCode?.invalidMessage ?? '', 'demo-clinic', filled.email),
    ],
    [
      'staff: seven digits',
      STAFF,
      { ...filled, totpCode: '1234567' },
      refused(STAFF.totpCode?.invalidMessage ?? '', 'demo-clinic', filled.email),
    ],
    [
      'staff: letters',
      STAFF,
      { ...filled, totpCode: '12a456' },
      refused(STAFF.totpCode?.invalidMessage ?? '', 'demo-clinic', filled.email),
    ],
  ])('%s', (_case, rules, fields, expected) => {
    expect(readSignInForm(form(fields), rules)).toEqual(expected);
  });

  it('reads a file field as empty text', () => {
    const data = new FormData();
    data.set('email', new Blob(['maria@example.test']), 'email.txt');
    expect(formText(data, 'email')).toBe('');
    expect(formText(data, 'absent')).toBe('');
  });

  it('starts with no message and the organization from the link', () => {
    expect(initialSignInState('demo-clinic')).toEqual({
      message: null,
      organization: 'demo-clinic',
      email: '',
    });
  });
});
