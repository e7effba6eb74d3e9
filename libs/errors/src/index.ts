/**
 * Every error ClinLoop raises on purpose carries a stable code. Each module declares its own
 * enum of codes and a subclass; apps/api maps every code of every module to a GraphQL
 * `extensions.code` and an HTTP status (see apps/api/src/errors/error-map.ts), and the
 * compiler refuses a code without a mapping.
 */
export abstract class ClinLoopError<Code extends string = string> extends Error {
  abstract readonly module: string;

  constructor(
    readonly code: Code,
    message: string,
    /** Safe, structured detail for logs and the audit trail; never shown raw to end users. */
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isClinLoopError(value: unknown): value is ClinLoopError {
  return value instanceof ClinLoopError;
}

/** Message of any thrown value, for logs. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
