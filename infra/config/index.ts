export { loadConfig, DEFAULT_CONFIG_FILE, type LoadOptions, type LoadedConfig } from './load';
export { ConfigError } from './errors';
export type { EmrflowConfig } from './schema';
export { deploymentId } from './deployment';
