import { ClinLoopError } from '@clinloop/errors';

export enum MessagingErrorCode {
  /** No broker answered (connect, metadata or ping failed). */
  BROKER_UNREACHABLE = 'MESSAGING_BROKER_UNREACHABLE',
  /** Topics could not be created or inspected. */
  TOPIC_SETUP_FAILED = 'MESSAGING_TOPIC_SETUP_FAILED',
  /** Produce or subscribe named a topic that was never set up with ensureTopics(). */
  UNKNOWN_TOPIC = 'MESSAGING_UNKNOWN_TOPIC',
  /** The broker did not acknowledge a produce: the messages may not have been written. */
  PRODUCE_FAILED = 'MESSAGING_PRODUCE_FAILED',
  /** A consumer could not join its group or subscribe. */
  SUBSCRIBE_FAILED = 'MESSAGING_SUBSCRIBE_FAILED',
  /** The transport was closed; nothing more can be sent or received through it. */
  TRANSPORT_CLOSED = 'MESSAGING_TRANSPORT_CLOSED',
  /** A topic name Kafka would refuse (characters or length). */
  INVALID_TOPIC_NAME = 'MESSAGING_INVALID_TOPIC_NAME',
}

export class MessagingError extends ClinLoopError<MessagingErrorCode> {
  readonly module = 'messaging';
}
