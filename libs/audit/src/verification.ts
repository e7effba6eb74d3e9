/** Why a verification stopped: the first thing found wrong, named so scripts can branch on it. */
export type VerificationFailureReason =
  /** A record could not be read (bad JSON/CSV, missing or mistyped field, wrong layout). */
  | 'malformed'
  /** The entry's content does not hash to its recorded hash: the entry was edited. */
  | 'hash-mismatch'
  /** Two neighbours disagree: this entry's hash is not the one the next entry was chained to. */
  | 'broken-link'
  /** A sequence number is missing. */
  | 'gap'
  /** Entries are out of order, or one appears twice. */
  | 'reorder'
  /** The export or table ends before the checkpoint it claims to be covered by. */
  | 'truncated'
  /** An entry beyond the covering checkpoint, or a record after the trailer. */
  | 'unexpected-entry'
  /** An inclusion proof does not lead to the checkpoint's root. */
  | 'bad-proof'
  /** A checkpoint or export manifest is not signed by the given public key. */
  | 'bad-signature'
  /** The entries do not produce the root or chain head their (validly signed) checkpoint states. */
  | 'checkpoint-mismatch'
  /** The trail is not an extension of a checkpoint the auditor already trusts: history was rewritten. */
  | 'inconsistent'
  /** A trusted checkpoint could not be checked against this export (newer than it, or no proof carried). */
  | 'unproven'
  /** Entries were removed from or added to a filtered export after it was signed. */
  | 'manifest-mismatch';

export interface VerificationFailure {
  readonly ok: false;
  readonly reason: VerificationFailureReason;
  /** The first sequence number found broken; null when the failure is not about one entry. */
  readonly seq: number | null;
  readonly message: string;
}

export interface VerificationSuccess {
  readonly ok: true;
  readonly entries: number;
  readonly summary: string;
}

export type VerificationResult = VerificationSuccess | VerificationFailure;

export function failure(reason: VerificationFailureReason, seq: number | null, message: string): VerificationFailure {
  return { ok: false, reason, seq, message };
}

/** The one line the CLI prints. */
export function describeVerification(result: VerificationResult): string {
  if (result.ok) return `OK ${result.summary}`;
  return `FAILED ${result.seq === null ? '' : `at seq ${result.seq} `}(${result.reason}): ${result.message}`;
}
