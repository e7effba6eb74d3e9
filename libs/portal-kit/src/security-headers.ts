/**
 * Security headers. The static ones are set for every path in next.config.ts; the Content-Security-Policy
 * is set per request by proxy.ts, because it carries a fresh script nonce and the API origin the server
 * was started with (a policy in next.config.ts would be frozen into the build).
 */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

export interface CspOptions {
  /** Per-request nonce that Next.js puts on its own scripts (and inline styles in production). */
  nonce: string;
  /** Origin of the ClinLoop API the browser may call, or null when none is configured. */
  apiOrigin: string | null;
  /** Development server: React needs eval for its debugging aids, the dev overlay inline styles. */
  development: boolean;
}

export function contentSecurityPolicy({ nonce, apiOrigin, development }: CspOptions): string {
  const connect = ["'self'", ...(apiOrigin ? [apiOrigin] : [])];
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': [
      "'self'",
      `'nonce-${nonce}'`,
      "'strict-dynamic'",
      ...(development ? ["'unsafe-eval'"] : []),
    ],
    'style-src': development ? ["'self'", "'unsafe-inline'"] : ["'self'", `'nonce-${nonce}'`],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': connect,
    'manifest-src': ["'self'"],
    'worker-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}
