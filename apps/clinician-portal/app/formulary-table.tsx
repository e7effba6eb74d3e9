'use client';

import { useCallback, useEffect, useState } from 'react';
import { describeError, fetchFormulary, type FormularyDrug } from '../lib/api';

type State =
  { phase: 'loading' } | { phase: 'loaded'; drugs: FormularyDrug[] } | { phase: 'failed'; error: string };

const mg = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

export function FormularyTable({ apiUrl }: { apiUrl: string }) {
  const [state, setState] = useState<State>({ phase: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    fetchFormulary(apiUrl, controller.signal).then(
      (drugs) => setState({ phase: 'loaded', drugs }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ phase: 'failed', error: describeError(error) });
      },
    );
    return () => controller.abort();
  }, [apiUrl, attempt]);

  const retry = useCallback(() => {
    setState({ phase: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  if (state.phase === 'loading') {
    return (
      <p className="status-line" role="status">
        Loading the formulary…
      </p>
    );
  }
  if (state.phase === 'failed') {
    return (
      <div className="banner banner--bad" role="alert">
        <p className="banner__title">Formulary unavailable</p>
        <p>{state.error}</p>
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      </div>
    );
  }
  if (state.drugs.length === 0) {
    return (
      <p className="error-text">The formulary is empty: no drug can be recommended until it is loaded.</p>
    );
  }
  const sources = [...new Set(state.drugs.map((d) => d.source).filter((s) => s.trim() !== ''))];
  return (
    <>
      <div className="table-scroll">
        <table className="data-table">
          <caption>
            Current version of each drug&apos;s hard limits. No clinician bounds can exceed them.
          </caption>
          <thead>
            <tr>
              <th scope="col">Drug</th>
              <th scope="col">Class</th>
              <th scope="col" className="num">
                Daily dose steps (mg)
              </th>
              <th scope="col" className="num">
                Max daily (mg)
              </th>
              <th scope="col">Note</th>
              <th scope="col" className="num">
                Version
              </th>
            </tr>
          </thead>
          <tbody>
            {state.drugs.map((d) => (
              <tr key={`${d.drug}@${d.version}`}>
                <th scope="row">{d.drug}</th>
                <td>{d.drugClass}</td>
                <td className="num">{d.stepsMg.map((s) => mg.format(s)).join(', ')}</td>
                <td className="num">{mg.format(d.maxDailyMg)}</td>
                <td>{d.note || <span className="muted">-</span>}</td>
                <td className="num">{d.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sources.length > 0 && (
        <p className="source">
          Source{sources.length > 1 ? 's' : ''}: {sources.join(' · ')}
        </p>
      )}
    </>
  );
}
