/** A configuration problem: one line naming the file, section, key and what was expected. Exit 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
