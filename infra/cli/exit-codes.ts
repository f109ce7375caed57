export const EXIT_OK = 0;
/** A run (or a preflight) failed. */
export const EXIT_FAILED = 1;
/** Bad usage, bad arguments or bad configuration. */
export const EXIT_USAGE = 2;

/** Thrown for a bad argument: printed as one line, exit 2. */
export class UsageError extends Error {}
