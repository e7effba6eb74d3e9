import type { AppConfig } from '@clinloop/config';

/** Fastify's `trustProxy` from API_TRUST_PROXY; a hop count becomes the function proxy-addr uses for it. */
export function fastifyTrustProxy(setting: AppConfig['apiTrustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address: string, hop: number) => hop < setting;
  return setting;
}
