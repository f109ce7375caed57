// The workflow bundle's entry: every workflow type the worker registers.
export { songsEtl } from './songs-etl';
export { runPipeline, statusQuery } from './pipeline-run';
export { terminateEmrClusters } from './terminate-emr-clusters';
export { lakeLock } from './lake-lock';
export { deadlineWatch } from './deadline-watch';
