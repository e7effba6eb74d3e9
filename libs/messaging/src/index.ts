export { MessagingError, MessagingErrorCode } from './errors';
export {
  ALL_TOPICS,
  assertValidTopicName,
  topicFor,
  Topics,
  type TopicDefinition,
  type TopicKey,
  type TopicName,
} from './topics';
export {
  backoffDelayMs,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_RETRY_BACKOFF,
  lagAfter,
  lagBefore,
  pingStream,
  silentMessagingLogger,
  type BatchHandler,
  type IncomingMessage,
  type MessageBatch,
  type MessagingLogger,
  type MessagingLogLevel,
  type OutgoingMessage,
  type RetryBackoff,
  type StreamTransport,
  type SubscribeOptions,
  type Subscription,
  type TopicSpec,
} from './stream-transport';
export { KafkaStreamTransport, type KafkaStreamTransportOptions } from './kafka-stream-transport';
export {
  InProcessStreamTransport,
  partitionForKey,
  type InProcessStreamTransportOptions,
} from './in-process-stream-transport';
