// The workflow bundle's entry: every workflow type the worker registers.
export { songsEtl } from './songs-etl';
export { terminateEmrClusters } from './terminate-emr-clusters';
export { lakeLock } from './lake-lock';
