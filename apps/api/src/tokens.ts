/** Injection tokens for things the composition root hands to the API. */
export const STREAM_TRANSPORT = Symbol('STREAM_TRANSPORT');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const APP_CONFIG = Symbol('APP_CONFIG');
export const RUNTIME_INFO = Symbol('RUNTIME_INFO');
export const LOGGER = Symbol('LOGGER');
