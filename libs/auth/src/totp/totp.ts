import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';

/**
 * Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30-second steps) through otplib. A code
 * is accepted one step either side of now (clock drift), and never twice: the caller stores the last
 * accepted step and passes it back.
 */
const TOLERANCE_SECONDS = 30;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpProvisioningUri(secret: string, accountLabel: string): string {
  return generateURI({ issuer: 'ClinLoop', label: accountLabel, secret });
}

/** The step the code was made for, or undefined when it is wrong, out of the window or already used. */
export function acceptTotp(secret: string, code: string, now: Date, lastAcceptedStep: number | null): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const result = verifySync({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(lastAcceptedStep === null ? {} : { afterTimeStep: lastAcceptedStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** The current code for a secret: for tests and the demo's printed sign-ins. */
export function currentTotp(secret: string, now: Date): string {
  return generateSync({ secret, epoch: Math.floor(now.getTime() / 1000) });
}
