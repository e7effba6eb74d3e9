import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hasher';
import { assertAcceptablePassword } from './password-policy';

describe('password hashing (scrypt)', () => {
  it('stores a salted, self-describing hash and verifies it', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password here')).not.toBe(await hashPassword('same password here'));
  });

  it.each(['', 'plain', 'scrypt$1$1$1$$', 'bcrypt$2b$10$abc'])('never matches a malformed stored value %j', async (stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });
});

describe('password policy (NIST SP 800-63B)', () => {
  const user = { email: 'ana.rivera@example.test', displayName: 'Ana Rivera' };
  it.each([
    ['short', /at least 12 characters/],
    ['password1234', /not a commonly used password/],
    ['my-ana.rivera-pass', /not containing your e-mail or name/],
    ['x'.repeat(257), /at most 256/],
  ])('refuses %j', (password, message) => {
    expect(() => assertAcceptablePassword(password, user)).toThrow(message);
  });

  it('accepts a long passphrase without composition rules', () => {
    expect(() => assertAcceptablePassword('blue kettles sing at dawn', user)).not.toThrow();
  });
});
