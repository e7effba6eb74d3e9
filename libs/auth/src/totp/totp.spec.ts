import { describe, expect, it } from 'vitest';
import { acceptTotp, currentTotp, newTotpSecret, totpProvisioningUri } from './totp';

// RFC 6238 appendix B uses 8 digits; our codes are the last 6 digits of the same HOTP values.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890"

describe('TOTP (RFC 6238)', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('at %i s the code is %s (RFC 6238 vectors, SHA-1)', (seconds, code) => {
    expect(currentTotp(RFC_SECRET, new Date(seconds * 1000))).toBe(code);
  });

  it('accepts the current code and one step of drift, and returns its step', () => {
    const now = new Date(1_700_000_000_000);
    const code = currentTotp(RFC_SECRET, now);
    expect(acceptTotp(RFC_SECRET, code, now, null)).toBe(Math.floor(1_700_000_000 / 30));
    expect(acceptTotp(RFC_SECRET, code, new Date(now.getTime() + 30_000), null)).toBeDefined();
    expect(acceptTotp(RFC_SECRET, code, new Date(now.getTime() + 90_000), null)).toBeUndefined();
  });

  it('never accepts a code twice (replay) or a malformed one', () => {
    const now = new Date(1_700_000_000_000);
    const code = currentTotp(RFC_SECRET, now);
    const step = acceptTotp(RFC_SECRET, code, now, null) ?? 0;
    expect(acceptTotp(RFC_SECRET, code, now, step)).toBeUndefined();
    expect(acceptTotp(RFC_SECRET, '12345', now, null)).toBeUndefined();
    expect(acceptTotp(RFC_SECRET, 'abcdef', now, null)).toBeUndefined();
  });

  it('makes 160-bit secrets and otpauth URIs for authenticator apps', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(totpProvisioningUri(secret, 'ana@example.test')).toBe(`otpauth://totp/ClinLoop:ana%40example.test?secret=${secret}&issuer=ClinLoop`);
  });
});
