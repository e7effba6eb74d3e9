/**
 * What an integrator's client may be granted. Each scope is one (action, resource) pair inside the
 * client's own organization; see `defineAbilityFor`.
 */
export const INTEGRATOR_SCOPES = [
  'patients:read',
  'observations:read',
  'observations:write',
  'recommendations:read',
  'alerts:read',
] as const;

export type IntegratorScope = (typeof INTEGRATOR_SCOPES)[number];

export function isIntegratorScope(value: string): value is IntegratorScope {
  return (INTEGRATOR_SCOPES as readonly string[]).includes(value);
}

/** Parses an OAuth2 `scope` parameter (space-separated); unknown scopes are returned separately. */
export function parseScopeParameter(value: string): { scopes: IntegratorScope[]; unknown: string[] } {
  const words = value.split(' ').filter((word) => word.length > 0);
  return {
    scopes: [...new Set(words.filter(isIntegratorScope))],
    unknown: words.filter((word) => !isIntegratorScope(word)),
  };
}
