import type { NextConfig } from 'next';
import { STATIC_SECURITY_HEADERS } from './security-headers';

/*
 * The Content-Security-Policy (script nonce, connect-src with the API origin from NEXT_PUBLIC_API_URL) is
 * set per request in proxy.ts: headers declared here are written into the build, so a policy here would
 * keep whatever API address (or none) `next build` happened to see.
 *
 * CLINLOOP_NEXT_DIST_DIR lets the end-to-end test run its own `next dev` next to a running launcher
 * (Next.js allows one dev server per build folder); it stays inside the git-ignored .next folder.
 */

/** The Next.js configuration both portals run with. */
export function portalNextConfig(): NextConfig {
  const distDir = process.env.CLINLOOP_NEXT_DIST_DIR;
  return {
    reactStrictMode: true,
    poweredByHeader: false,
    // The portals use this kit as TypeScript source.
    transpilePackages: ['@clinloop/portal-kit'],
    ...(distDir && /^\.next\/[\w-]+$/.test(distDir) ? { distDir } : {}),
    headers() {
      return Promise.resolve([{ source: '/:path*', headers: [...STATIC_SECURITY_HEADERS] }]);
    },
  };
}
