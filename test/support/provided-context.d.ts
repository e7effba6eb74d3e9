declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin connection URL (database part ignored) of the PostgreSQL the tests use. */
    databaseAdminUrl: string;
    /** A migrated database each test file clones with CREATE DATABASE ... TEMPLATE. */
    templateDatabase: string;
    /** Prefix of every database this run creates, so teardown can drop leftovers. */
    databasePrefix: string;
    /** Comma-separated Kafka bootstrap servers of a real broker. */
    kafkaBrokers: string;
  }
}
export {};
