import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'ClinLoop - clinician portal',
  description: 'ClinLoop clinician portal: system status and formulary reference.',
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
            <nav aria-label="Main">
              <ul className="nav">
                <li>
                  <a href="/#status">System status</a>
                </li>
                <li>
                  <a href="/#formulary">Formulary</a>
                </li>
              </ul>
            </nav>
            <p className="session-note">Sign-in not available in this build</p>
          </div>
        </header>
        {children}
      </body>
    </html>
  );
}
