/**
 * The API address, read from the process environment when a request is served - never at build time.
 *
 * The launcher passes NEXT_PUBLIC_API_URL when it starts the portal (`next dev` or `next start`). The
 * bundler replaces `process.env.NEXT_PUBLIC_*` with the value it sees at compile time - Turbopack even
 * through an alias such as `const env = process.env; env['NEXT_PUBLIC_API_URL']` - which would freeze
 * the address (or its absence) into a production build. The name is therefore assembled at run time,
 * where no bundler can see it. Call this only on the server, during dynamic rendering (the root layout
 * awaits `connection()`), or from proxy.ts; the browser gets the value as a prop.
 */
export function apiBaseUrl(): { url: string; origin: string } | null {
  const raw = readServerEnv(['NEXT', 'PUBLIC', 'API', 'URL'])?.trim();
  if (!raw) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return { url: raw.replace(/\/+$/, ''), origin: parsed.origin };
}

function readServerEnv(nameParts: readonly string[]): string | undefined {
  return process.env[nameParts.join('_')];
}
