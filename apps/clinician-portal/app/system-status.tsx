'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import {
  describeError,
  fetchReadiness,
  fetchServiceInfo,
  type Readiness,
  type ServiceInfo,
} from '../lib/api';

const REFRESH_MS = 30_000;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

interface Snapshot {
  checkedAt: Date;
  readiness: Outcome<Readiness>;
  info: Outcome<ServiceInfo>;
}

async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

const DATABASE_LABELS: Record<string, string> = {
  external: 'External PostgreSQL (DATABASE_URL)',
  embedded: 'Embedded PostgreSQL',
};
const STREAM_LABELS: Record<string, string> = {
  kafka: 'Apache Kafka',
  'in-process': 'In-process transport (demo only)',
};

function formatTime(date: Date): string {
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function formatStarted(iso: string, now: Date): string {
  const started = new Date(iso);
  if (Number.isNaN(started.getTime())) return iso;
  const minutes = Math.max(0, Math.floor((now.getTime() - started.getTime()) / 60_000));
  const uptime =
    minutes < 60
      ? `${minutes} min`
      : minutes < 2880
        ? `${Math.floor(minutes / 60)} h ${minutes % 60} min`
        : `${Math.floor(minutes / 1440)} days`;
  return `${started.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })} (up ${uptime})`;
}

function UpDown({ state }: { state: string | undefined }) {
  if (state === undefined) return <span className="pill pill--unknown">unknown</span>;
  return <span className={state === 'up' ? 'pill pill--ok' : 'pill pill--bad'}>{state}</span>;
}

export function SystemStatus({ apiUrl }: { apiUrl: string }) {
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [checking, setChecking] = useState(false);
  const inFlight = useRef<AbortController | null>(null);

  const check = useCallback(async () => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setChecking(true);
    const [readiness, info] = await Promise.all([
      settle(fetchReadiness(apiUrl, controller.signal)),
      settle(fetchServiceInfo(apiUrl, controller.signal)),
    ]);
    if (controller.signal.aborted) return;
    setSnapshot({ checkedAt: new Date(), readiness, info });
    setChecking(false);
  }, [apiUrl]);

  useEffect(() => {
    void check();
    const timer = setInterval(() => void check(), REFRESH_MS);
    return () => {
      clearInterval(timer);
      inFlight.current?.abort();
    };
  }, [check]);

  if (!snapshot) {
    return (
      <p className="status-line" role="status">
        Checking the API at {apiUrl}…
      </p>
    );
  }

  const { readiness, info, checkedAt } = snapshot;
  const unreachable = !readiness.ok && !info.ok;
  const ready = readiness.ok && readiness.value.status === 'ready';

  return (
    <div aria-live="polite">
      {unreachable ? (
        <div className="banner banner--bad" role="alert">
          <p className="banner__title">API unreachable</p>
          <p>{readiness.error}</p>
          <p>
            Version, database and stream are unknown until it answers. The check repeats every{' '}
            {REFRESH_MS / 1000} s.
          </p>
        </div>
      ) : (
        <div className={ready ? 'banner banner--ok' : 'banner banner--bad'} role={ready ? 'status' : 'alert'}>
          <p className="banner__title">{ready ? 'Ready' : 'Not ready'}</p>
          <p>
            {readiness.ok
              ? ready
                ? 'The API can reach its database and its stream transport.'
                : `The API answers but reports: database ${readiness.value.database}, stream ${readiness.value.stream}.`
              : `Readiness could not be checked: ${readiness.error}`}
          </p>
        </div>
      )}

      {!unreachable && (
        <dl className="tiles">
          <div className="tile">
            <dt>Version</dt>
            <dd>{info.ok ? info.value.version : '-'}</dd>
          </div>
          <div className="tile">
            <dt>Environment</dt>
            <dd>{info.ok ? info.value.environment : '-'}</dd>
          </div>
          <div className="tile">
            <dt>Database</dt>
            <dd>
              {info.ok ? (DATABASE_LABELS[info.value.database] ?? info.value.database) : '-'}{' '}
              <UpDown state={readiness.ok ? readiness.value.database : undefined} />
            </dd>
          </div>
          <div className="tile">
            <dt>Stream</dt>
            <dd>
              {info.ok ? (STREAM_LABELS[info.value.stream] ?? info.value.stream) : '-'}{' '}
              <UpDown state={readiness.ok ? readiness.value.stream : undefined} />
            </dd>
          </div>
          <div className="tile">
            <dt>API started</dt>
            <dd>{info.ok ? formatStarted(info.value.startedAt, checkedAt) : '-'}</dd>
          </div>
        </dl>
      )}
      {!info.ok && !unreachable && (
        <p className="error-text">Service information unavailable: {info.error}</p>
      )}
      {info.ok && info.value.stream === 'in-process' && (
        <p className="warning-text">
          The in-process stream transport is a demo fallback: readings are not durable and cannot scale out.
          Set KAFKA_BROKERS for real use.
        </p>
      )}

      <div className="status-actions">
        <p className="status-line">
          API {apiUrl} · last checked {formatTime(checkedAt)}
        </p>
        <button type="button" className="button" onClick={() => void check()} disabled={checking}>
          {checking ? 'Checking…' : 'Check now'}
        </button>
      </div>
    </div>
  );
}
