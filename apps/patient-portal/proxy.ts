import type { NextRequest, NextResponse } from 'next/server';
import { createPortalProxy } from '@clinloop/portal-kit/proxy';
import { PATIENT_PORTAL } from './lib/portal';

const portalProxy = createPortalProxy(PATIENT_PORTAL);

/** Per-request Content-Security-Policy and session upkeep (idle sign-out, token refresh, a password that must change): see portal-kit. */
export function proxy(request: NextRequest): Promise<NextResponse> {
  return portalProxy(request);
}

export const config = {
  matcher: [
    {
      source: '/((?!_next/static|_next/image|favicon.ico|icons/|manifest.webmanifest|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
