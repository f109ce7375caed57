// Names the Glue Data Catalog and Athena accept, checked when dl.cfg is read rather than when
// the first registration or query fails on AWS.
import { FieldError, type Field } from './fields';

/** A Glue database name: lower case letters, digits and underscores (Athena folds to lower case). */
export const glueName = (def: string): Field<string, false> => ({
  parse(raw) {
    if (!/^[a-z0-9_]{1,255}$/.test(raw)) throw new FieldError(`expected a Glue database name (lower-case letters, digits, _), got "${raw}"`);
    return raw;
  },
  default: def,
  optional: false,
});

/** An Athena workgroup name: letters, digits, '.', '_' and '-', up to 128 characters. */
export const athenaWorkgroup = (def: string): Field<string, false> => ({
  parse(raw) {
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(raw)) throw new FieldError(`expected an Athena workgroup name (letters, digits, . _ -), got "${raw}"`);
    return raw;
  },
  default: def,
  optional: false,
});
