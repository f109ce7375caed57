// Field parsers for dl.cfg values. Each turns the raw INI string into a typed value or throws a
// FieldError whose message says what was expected; the loader adds file, section and key.

export class FieldError extends Error {}

export interface Field<T, Optional extends boolean = boolean> {
  /** Parses a raw INI value (already trimmed). */
  parse(raw: string): T;
  /** Value when the key is absent. */
  default: T | undefined;
  /** An optional key has no default: absent means undefined. */
  optional: Optional;
  /** Credentials are never echoed back in error messages. */
  secret?: boolean;
}

function field<T>(parse: (raw: string) => T, def: T, secret?: boolean): Field<T, false>;
function field<T>(parse: (raw: string) => T, def: T | undefined, secret?: boolean): Field<T, true>;
function field<T>(parse: (raw: string) => T, def: T | undefined, secret = false): Field<T> {
  return { parse, default: def, optional: def === undefined, secret };
}

export function text(): Field<string, true>;
export function text(def: string): Field<string, false>;
export function text(def?: string): Field<string> {
  return field<string>((raw) => {
    if (raw === '') throw new FieldError('expected a non-empty value');
    return raw;
  }, def);
}

export const secret = () =>
  field((raw) => {
    if (raw === '') throw new FieldError('expected a non-empty value');
    return raw;
  }, undefined, true);

export const oneOf = <T extends string>(choices: readonly T[], def: T) =>
  field((raw) => {
    const v = raw.toLowerCase() as T;
    if (!choices.includes(v)) throw new FieldError(`expected one of ${choices.join(' | ')}, got "${raw}"`);
    return v;
  }, def);

export const upperOneOf = <T extends string>(choices: readonly T[], def: T) =>
  field((raw) => {
    const v = raw.toUpperCase() as T;
    if (!choices.includes(v)) throw new FieldError(`expected one of ${choices.join(' | ')}, got "${raw}"`);
    return v;
  }, def);

export const integer = (def: number, min: number, max: number) =>
  field((raw) => {
    if (!/^-?\d+$/.test(raw)) throw new FieldError(`expected a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new FieldError(`expected a number from ${min} to ${max}, got ${n}`);
    return n;
  }, def);

export const decimal = (def: number, min: number, max: number) =>
  field((raw) => {
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n)) throw new FieldError(`expected a number, got "${raw}"`);
    if (n < min || n > max) throw new FieldError(`expected a number from ${min} to ${max}, got ${n}`);
    return n;
  }, def);

export const boolean = (def: boolean) =>
  field((raw) => {
    const v = raw.toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(v)) return true;
    if (['false', 'no', 'off', '0'].includes(v)) return false;
    throw new FieldError(`expected true or false, got "${raw}"`);
  }, def);

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/[^\s]*)?$/;

/** An s3:// URI whose bucket name follows S3's naming rules. */
export function s3Uri(): Field<string, true>;
export function s3Uri(def: string): Field<string, false>;
export function s3Uri(def?: string): Field<string> {
  return field<string>((raw) => {
    if (!S3_URI.test(raw)) throw new FieldError(`expected an s3://bucket/prefix URI, got "${raw}"`);
    return raw.replace(/\/+$/, '');
  }, def);
}

/** A data location: an s3:// URI, a file:// URI or a local path. */
export function location(def: string): Field<string, false> {
  return field((raw) => {
    if (raw === '') throw new FieldError('expected a path or URI');
    if (raw.startsWith('s3://') && !S3_URI.test(raw))
      throw new FieldError(`expected an s3://bucket/prefix URI, got "${raw}"`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) && !/^(s3|file):\/\//.test(raw))
      throw new FieldError(`expected a local path, file:// or s3:// URI, got "${raw}"`);
    return raw.replace(/(.)\/+$/, '$1');
  }, def);
}

export const httpUrl = () =>
  field((raw) => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new FieldError(`expected an http(s):// URL, got "${raw}"`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new FieldError(`expected an http(s):// URL, got "${raw}"`);
    return raw.replace(/\/+$/, '');
  }, undefined);

/** host:port */
export const hostPort = (def: string) =>
  field((raw) => {
    const m = /^([^\s:]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(raw);
    if (!m || Number(m[2]) > 65535) throw new FieldError(`expected host:port, got "${raw}"`);
    return raw;
  }, def);

export const port = (def: number) => integer(def, 1, 65535);

/** HH:MM on a 24-hour clock. */
export const timeOfDay = (def: string) =>
  field((raw) => {
    const m = /^(\d{1,2}):(\d{2})$/.exec(raw);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new FieldError(`expected HH:MM (24-hour), got "${raw}"`);
    return `${m[1]!.padStart(2, '0')}:${m[2]}`;
  }, def);

export const timeZone = (def: string) =>
  field((raw) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: raw });
    } catch {
      throw new FieldError(`expected an IANA time zone such as UTC or Europe/Berlin, got "${raw}"`);
    }
    return raw;
  }, def);

export const region = (def: string) =>
  field((raw) => {
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(raw)) throw new FieldError(`expected an AWS region such as us-west-2, got "${raw}"`);
    return raw;
  }, def);

/** key=value pairs separated by commas, for extra cluster tags. */
export const tags = () =>
  field((raw) => {
    const out: Record<string, string> = {};
    for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new FieldError(`expected key=value pairs separated by commas, got "${part}"`);
      const k = part.slice(0, eq).trim();
      if (k.startsWith('emrflow:')) throw new FieldError(`tag "${k}" is reserved for emrflow's own tags`);
      out[k] = part.slice(eq + 1).trim();
    }
    return out;
  }, {} as Record<string, string>);

/** A tag value EMR accepts (letters, digits, spaces and _ . : / = + - @; at most 256), e.g. a deployment name. */
export const tagValue = () =>
  field((raw) => {
    if (raw === '' || raw.length > 256 || !/^[\p{L}\p{N}\s_.:/=+\-@]+$/u.test(raw))
      throw new FieldError(`expected 1-256 letters, digits, spaces or _ . : / = + - @, got "${raw}"`);
    return raw;
  }, undefined);
/** A TCP port with no default: absent means the feature it serves is off. */
export const optionalPort = () =>
  field((raw) => {
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) throw new FieldError(`expected a port from 1 to 65535, got "${raw}"`);
    return Number(raw);
  }, undefined);

/** AWS resource ids separated by commas (subnet-…, sg-…), each checked against its prefix. */
export const awsIds = (prefix: string) =>
  field((raw) => {
    const ids = raw.split(',').map((p) => p.trim()).filter(Boolean);
    const bad = ids.find((id) => !new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id));
    if (ids.length === 0 || bad !== undefined) throw new FieldError(`expected ${prefix}-… ids separated by commas, got "${bad ?? raw}"`);
    return ids;
  }, [] as string[]);

/**
 * One or more http(s) URLs separated by commas, each a secret (a Slack incoming webhook's path is
 * its key): a bad one is named by its position, never echoed.
 */
export const webhookUrls = () =>
  field((raw) => {
    const urls = raw.split(',').map((p) => p.trim());
    urls.forEach((u, i) => {
      let ok = false;
      try {
        ok = ['http:', 'https:'].includes(new URL(u).protocol);
      } catch { /* not a URL */ }
      if (!ok) throw new FieldError(`expected http(s):// URLs separated by commas; URL ${i + 1} of ${urls.length} is not one (not shown: it is a secret)`);
    });
    return urls;
  }, undefined, true);

/** A subset of choices, separated by commas (each at most once). */
export const someOf = <T extends string>(choices: readonly T[], def: T[]) =>
  field((raw) => {
    const picked = raw.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean) as T[];
    const bad = picked.find((p) => !choices.includes(p));
    if (picked.length === 0 || bad !== undefined) throw new FieldError(`expected some of ${choices.join(', ')} separated by commas, got "${bad ?? raw}"`);
    return [...new Set(picked)];
  }, def);

/** An IAM role ARN (arn:aws:iam::123456789012:role/name), e.g. an EMR Serverless execution role. */
export const roleArn = () =>
  field((raw) => {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(raw))
      throw new FieldError(`expected an IAM role ARN such as arn:aws:iam::123456789012:role/emrflow-serverless-job, got "${raw}"`);
    return raw;
  }, undefined);

/** An EMR Serverless application id (lowercase letters and digits, as `aws emr-serverless list-applications` shows it). */
export const serverlessApplicationId = () =>
  field((raw) => {
    if (!/^[0-9a-z]{1,64}$/.test(raw)) throw new FieldError(`expected an EMR Serverless application id such as 00fabcd1234efg5h, got "${raw}"`);
    return raw;
  }, undefined);
