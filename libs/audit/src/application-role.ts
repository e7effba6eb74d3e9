/**
 * The PostgreSQL role the application works as (created by the audit-trail migration): ordinary
 * rights on the product's tables, but only SELECT and INSERT on the audit trail, so the running
 * application cannot UPDATE, DELETE or TRUNCATE it whatever SQL it is tricked into running.
 * See docs/decisions/0003-audit-trail.md.
 */
export const APPLICATION_DB_ROLE = 'clinloop_app';

/**
 * The connection URL the api and worker pools use: the same login, with the session started as
 * `clinloop_app` (libpq `options=-c role=...`, which node-postgres sends at connect time), so every
 * pooled connection is restricted before its first query. Migrations keep the plain URL: they
 * create tables and must own them.
 */
export function applicationRoleUrl(url: string): string {
  const parsed = new URL(url);
  const existing = parsed.searchParams.get('options');
  const setting = `-c role=${APPLICATION_DB_ROLE}`;
  parsed.searchParams.set('options', existing ? `${existing} ${setting}` : setting);
  return parsed.toString();
}
