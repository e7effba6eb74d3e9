import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { currentSession } from '@clinloop/portal-kit/session';
import { CLINICIAN_PORTAL } from '../lib/portal';
import { signOutAction } from './actions';
import './globals.css';

export const metadata: Metadata = {
  title: 'ClinLoop - clinician portal',
  description: 'ClinLoop clinician portal: alert queue, system status and formulary reference.',
  applicationName: 'ClinLoop clinician portal',
  robots: { index: false, follow: false },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: '#123b52',
  colorScheme: 'light',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render per request: the Content-Security-Policy nonce from proxy.ts is applied while rendering.
  await connection();
  const session = await currentSession(CLINICIAN_PORTAL);
  // Until a temporary password is replaced, the proxy sends every page to the change-password page: no menu to offer.
  const mustChangePassword = session?.meta.mustChangePassword ?? false;
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        <header className="site-header">
          <div className="wrap site-header__inner">
            <a className="brand" href="/">
              <svg className="brand__logo" viewBox="0 0 512 512" aria-hidden="true" focusable="false">
                <rect width="512" height="512" rx="112" fill="currentColor" />
                <path
                  d="M104 268h84l32-76 48 152 36-108 22 32h82"
                  fill="none"
                  stroke="#123b52"
                  strokeWidth="32"
                  strokeLinecap="round"
                  strokeLinejoin="round"
                />
              </svg>
              <span>
                ClinLoop <span className="brand__sub">Clinician</span>
              </span>
            </a>
            {!mustChangePassword && (
              <nav aria-label="Main">
                <ul className="nav">
                  <li>
                    <a href="/">Alert queue</a>
                  </li>
                  <li>
                    <a href="/system#status">System status</a>
                  </li>
                  <li>
                    <a href="/system#formulary">Formulary</a>
                  </li>
                </ul>
              </nav>
            )}
            {session ? (
              <div className="session-note session-actions">
                {!mustChangePassword && (
                  <a className="session-link" href={CLINICIAN_PORTAL.changePasswordPath}>
                    Change password
                  </a>
                )}
                <form action={signOutAction}>
                  <button type="submit" className="button button--on-brand">
                    Sign out
                  </button>
                </form>
              </div>
            ) : (
              <a className="session-note session-note--link" href={CLINICIAN_PORTAL.signInPath}>
                Sign in
              </a>
            )}
          </div>
        </header>
        {children}
      </body>
    </html>
  );
}
