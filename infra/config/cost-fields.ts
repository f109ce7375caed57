// [cost] values: dollar amounts and a per-instance-type price list, checked when dl.cfg is read.
import { FieldError, type Field } from './fields';

const amount = (raw: string, what: string): number => {
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n) || n <= 0) throw new FieldError(`expected ${what} greater than 0, got "${raw}"`);
  return n;
};

/** A positive USD amount with no default: absent means "not set here" (a default price, or no budget). */
export const usd = (): Field<number, true> => ({
  parse: (raw) => amount(raw, 'a USD amount'),
  default: undefined,
  optional: true,
});

/** `m5.xlarge=0.192, r5.2xlarge=0.504`: USD per instance-hour by EC2 instance type. */
export const instancePrices = (): Field<Record<string, number>, true> => ({
  parse(raw) {
    const out: Record<string, number> = {};
    for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^([a-z0-9-]+\.[a-z0-9-]+)\s*=\s*(\S+)$/.exec(part);
      if (!m) throw new FieldError(`expected instance-type=USD pairs separated by commas (m5.xlarge=0.192), got "${part}"`);
      out[m[1]!] = amount(m[2]!, `a USD price for ${m[1]}`);
    }
    if (Object.keys(out).length === 0) throw new FieldError('expected instance-type=USD pairs separated by commas (m5.xlarge=0.192)');
    return out;
  },
  default: undefined,
  optional: true,
});
