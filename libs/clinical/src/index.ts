/**
 * @clinloop/clinical - the pure clinical core: BP categories, plausibility and units, sessions
 * and home summaries, the safety envelope and its tiers, alert rules, follow-up scheduling.
 * No I/O, no clock, no randomness: time and the versioned rules table are inputs.
 */
export * from './errors';
export * from './vocabulary';
export * from './rules';
export * from './formulary/formulary';

export * from './readings/reading';
export * from './readings/bp-category';
export * from './readings/plausibility';
export * from './readings/sessions';
export * from './readings/home-summary';
export * from './readings/linear-sums';
export * from './readings/feature-windows';

export * from './envelope/bounds';
export * from './envelope/proposal';
export * from './envelope/envelope-rules';
export * from './envelope/envelope';
export * from './envelope/envelope-input.schema';

export * from './alerts/alert';
export * from './alerts/hypertensive-crisis';
export * from './alerts/persistent-hypotension';
export * from './alerts/persistent-uncontrolled';
export * from './alerts/pregnancy-on-ace-or-arb';
export * from './alerts/alert-deduplication';
export * from './alerts/alert-escalation';

export * from './follow-up/follow-up';
export * from './follow-up/lab-checks';

export * from './commands/bp-classify.command';
export * from './commands/envelope-check.command';
