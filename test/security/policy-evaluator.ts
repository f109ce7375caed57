// A small IAM policy evaluator for the statement forms infra/aws/worker-policy.json uses, so the
// tests check what the policy DOES (which requests it allows) rather than what it looks like.
// Covered: Effect Allow/Deny (an explicit Deny wins, nothing allowed = implicit deny), Action and
// Resource with * and ? wildcards, and Condition operators StringEquals, StringLike, Null, with
// the ForAllValues: / ForAnyValue: set qualifiers on multi-valued keys (aws:TagKeys). A key that
// is absent from the request makes StringEquals/StringLike false and ForAllValues true, as IAM does.
// Anything else in a policy is an error here, so the evaluator cannot silently pass a new form.

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface Request {
  action: string;
  resource: string;
  /** Condition keys of the request: aws:RequestTag/…, aws:TagKeys, …ResourceTag/…, s3:prefix. */
  context?: Record<string, string | string[]>;
}

export type Decision = 'allowed' | 'denied (explicit)' | 'denied (implicit)';

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

function glob(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '').test(value);
}

function matchOne(op: string, expected: string, actual: string): boolean {
  switch (op) {
    case 'StringEquals': return expected === actual;
    case 'StringLike': return glob(expected, actual);
    default: throw new Error(`policy evaluator: condition operator ${op} is not supported`);
  }
}

function conditionHolds(operator: string, key: string, expected: string[], context: Record<string, string | string[]>): boolean {
  const raw = context[key];
  if (operator === 'Null') {
    // "Null": "true" holds when the key is absent; "false" when it is present.
    return expected.every((e) => (e === 'true') === (raw === undefined));
  }
  const [qualifier, op] = operator.includes(':') ? operator.split(':') as [string, string] : [undefined, operator];
  if (raw === undefined) return qualifier === 'ForAllValues';
  const values = list(raw);
  const any = (v: string) => expected.some((e) => matchOne(op, e, v));
  switch (qualifier) {
    case undefined:
      if (values.length !== 1) throw new Error(`policy evaluator: ${key} is multi-valued; use ForAllValues/ForAnyValue`);
      return any(values[0]!);
    case 'ForAllValues': return values.every(any);
    case 'ForAnyValue': return values.some(any);
    default: throw new Error(`policy evaluator: set qualifier ${qualifier} is not supported`);
  }
}

function applies(s: Statement, r: Request): boolean {
  if (!list(s.Action).some((a) => glob(a, r.action, true))) return false;
  if (!list(s.Resource).some((res) => glob(res, r.resource))) return false;
  // Every operator, and every key within one, must hold (AND); values within one key are OR.
  return Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, list(expected), r.context ?? {})));
}

export function evaluate(statements: Statement[], request: Request): Decision {
  const matching = statements.filter((s) => applies(s, request));
  if (matching.some((s) => s.Effect === 'Deny')) return 'denied (explicit)';
  return matching.some((s) => s.Effect === 'Allow') ? 'allowed' : 'denied (implicit)';
}

/** The policy with its ${Placeholders} filled in, as `emrflow aws bootstrap` / the README do. */
export function render(policyText: string, values: Record<string, string>): { Statement: Statement[] } {
  const text = policyText.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
    if (!(name in values)) throw new Error(`no value for \${${name}}`);
    return values[name]!;
  });
  return JSON.parse(text) as { Statement: Statement[] };
}
