import type { Metadata } from 'next';
import { apiBaseUrl } from '@clinloop/portal-kit/runtime-env';
import { FormularyTable } from '../formulary-table';
import { SystemStatus } from '../system-status';

export const metadata: Metadata = { title: 'System status and formulary - ClinLoop' };

/** Reference pages without patient data: reachable signed in or not. */
export default function SystemPage() {
  // Read when the request is served (the layout awaited connection()), not when the portal was built.
  const api = apiBaseUrl();
  return (
    <main id="main" className="wrap">
      <h1>System status and formulary</h1>
      <p className="roadmap">
        Review queue, patient detail, bounds editor and the auditor area arrive with their issues.
      </p>

      <section className="panel" id="status" aria-labelledby="status-heading">
        <h2 id="status-heading">System status</h2>
        {api ? <SystemStatus apiUrl={api.url} /> : <ConfigError />}
      </section>

      <section className="panel" id="formulary" aria-labelledby="formulary-heading">
        <h2 id="formulary-heading">Formulary hard limits</h2>
        {api ? <FormularyTable apiUrl={api.url} /> : <ConfigError />}
      </section>
    </main>
  );
}

function ConfigError() {
  return (
    <div className="banner banner--bad" role="alert">
      <p className="banner__title">API address not configured</p>
      <p>
        This portal was started without a valid NEXT_PUBLIC_API_URL (for example http://127.0.0.1:4000). Start it with
        <code> npx clinloop start</code>, which sets it.
      </p>
    </div>
  );
}
