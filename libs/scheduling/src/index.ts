export { startPollingJob, type PollingJob, type PollingJobOptions } from './polling-job';
