// What an AWS SDK error means for a preflight check: missing, forbidden, elsewhere, or the API
// could not be reached at all (transient: worth retrying rather than failing the run).
export type AwsProblemKind = 'missing' | 'forbidden' | 'other-region' | 'no-credentials' | 'bad-credentials' | 'unreachable' | 'error';

export interface AwsProblem {
  kind: AwsProblemKind;
  /** The error in a few words, e.g. "AccessDenied (403)". */
  message: string;
}

interface SdkError { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } }

const MISSING = new Set(['NoSuchBucket', 'NotFound', 'NoSuchEntity', 'NoSuchEntityException']);
const FORBIDDEN = new Set(['AccessDenied', 'AccessDeniedException', 'Forbidden', 'UnauthorizedOperation', 'AllAccessDisabled']);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException',
  'InvalidAccessKeyId', 'UnrecognizedClientException', 'TokenRefreshRequired',
]);
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'Throttling', 'ThrottlingException', 'SlowDown', 'ServiceUnavailable', 'InternalError']);

export function awsProblem(e: unknown): AwsProblem {
  const err = (e ?? {}) as SdkError;
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  // HEAD responses have no body, so the SDK may name them "UnknownError": say the status instead.
  const text = err.message && err.message !== 'UnknownError' && err.message !== name ? `${name}: ${err.message}` : name;
  const message = status ? `${text} (${status})` : text;
  if (name === 'CredentialsProviderError') return { kind: 'no-credentials', message };
  if (BAD_CREDENTIALS.has(name)) return { kind: 'bad-credentials', message };
  if (MISSING.has(name) || status === 404) return { kind: 'missing', message };
  if (FORBIDDEN.has(name) || status === 403) return { kind: 'forbidden', message };
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301) return { kind: 'other-region', message };
  if (TRANSIENT.has(name) || status === undefined || status >= 500 || err.code === 'ECONNREFUSED') return { kind: 'unreachable', message };
  return { kind: 'error', message };
}

/** Problems a retry may cure: the run should retry the preflight rather than fail on them. */
export const isTransient = (kind: AwsProblemKind): boolean => kind === 'unreachable';
