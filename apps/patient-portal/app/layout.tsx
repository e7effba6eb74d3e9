import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { THEME_COLOR } from '../lib/theme';
import './globals.css';

export const metadata: Metadata = {
  title: 'ClinLoop - blood pressure care at home',
  description:
    'ClinLoop helps you and your care team manage high blood pressure from home. It is not an emergency service.',
  applicationName: 'ClinLoop',
  appleWebApp: { capable: true, title: 'ClinLoop', statusBarStyle: 'default' },
  formatDetection: { telephone: false },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: THEME_COLOR,
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
        {children}
      </body>
    </html>
  );
}
