export * from './create-worker';
export * from './ingestion/ingestion.consumer';
export * from './ingestion/ingestion.metrics';
export * from './partitions/partition-maintenance';
