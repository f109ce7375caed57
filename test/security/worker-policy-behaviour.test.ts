// Items 2 and 9 of #16: the shipped worker policy, evaluated (policy-evaluator.ts) against the
// requests the worker makes and those it must not be able to make. Before the fix, AddTags of
// emrflow:managed=true on anybody's cluster was allowed, and from then on the tag-scoped
// statements allowed running steps on it and terminating it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { evaluate, render, type Decision, type Request } from './policy-evaluator';

const { Statement } = render(readFileSync(join(repoRoot, 'infra/aws/worker-policy.json'), 'utf8'), {
  Region: 'us-west-2', AccountId: '111122223333', ServiceRole: 'EMR_DefaultRole', InstanceProfileRole: 'EMR_EC2_DefaultRole', ExecutionRole: 'emrflow-serverless-job',
  InstanceProfile: 'EMR_EC2_DefaultRole', CodeBucket: 'acme-code', CodePrefix: 'emrflow/code', LogBucket: 'acme-logs',
  LogPrefix: 'emrflow/logs', InputBucket: 'acme-lake', InputPrefix: 'in', OutputBucket: 'acme-lake', OutputPrefix: 'out',
  GlueDatabase: 'sparkify',
});

const cluster = (id: string) => `arn:aws:elasticmapreduce:us-west-2:111122223333:cluster/${id}`;
const ours = { 'elasticmapreduce:ResourceTag/emrflow:managed': 'true', 'aws:ResourceTag/emrflow:managed': 'true' };
const createTags = {
  'emrflow:managed': 'true', 'emrflow:deployment': 'prod', 'emrflow:workflow-id': 'songs-etl-2018-11-15',
  'emrflow:run-id': 'r1', 'emrflow:pipeline': 'songs-etl', team: 'data',
};
const requestTags = (tags: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
  'aws:TagKeys': Object.keys(tags),
});
const emr = (action: string, resource: string, context?: Request['context']): Request =>
  ({ action: `elasticmapreduce:${action}`, resource, context });
const s3 = (action: string, resource: string, context?: Request['context']): Request =>
  ({ action: `s3:${action}`, resource, context });

// RunJobFlow with Tags is also authorized as elasticmapreduce:AddTags with the same request tags,
// on the cluster ARN with a wildcard id (the cluster does not exist yet), since 24 April 2023:
// "To create a cluster with a tag, you must also have permission for the elasticmapreduce:AddTags
// action" (EMR Management Guide, emr-fine-grained-cluster-access). A direct AddTags names a
// cluster id (j-…); that is how the policy tells the two apart.
const CREATING = cluster('*');

const ALLOWED: [string, Request][] = [
  ['RunJobFlow with emrflow\'s tags (tag on create)', emr('RunJobFlow', '*', requestTags(createTags))],
  ['the AddTags check EMR makes for RunJobFlow with Tags (tag on create)', emr('AddTags', CREATING, requestTags(createTags))],
  ...['AddJobFlowSteps', 'CancelSteps', 'DescribeCluster', 'DescribeStep', 'ListSteps', 'SetKeepJobFlowAliveWhenNoSteps', 'TerminateJobFlows']
    .map((a): [string, Request] => [`${a} on a managed cluster`, emr(a, cluster('j-MINE'), ours)]),
  ['ListClusters', emr('ListClusters', '*')],
  ['preflight: looking up a configured subnet', { action: 'ec2:DescribeSubnets', resource: '*' }],
  ['preflight: looking up a configured security group', { action: 'ec2:DescribeSecurityGroups', resource: '*' }],
  ['PassRole of the service role to EMR', { action: 'iam:PassRole', resource: 'arn:aws:iam::111122223333:role/EMR_DefaultRole', context: { 'iam:PassedToService': 'elasticmapreduce.amazonaws.com' } }],
  ['staging the job script', s3('PutObject', 'arn:aws:s3:::acme-code/emrflow/code/abc/etl.py')],
  ['checking the staged script', s3('GetObject', 'arn:aws:s3:::acme-code/emrflow/code/abc/etl.py')],
  ['reading a step\'s stderr', s3('GetObject', 'arn:aws:s3:::acme-logs/emrflow/logs/j-1/steps/s-1/stderr.gz')],
  ['reading a run report', s3('GetObject', 'arn:aws:s3:::acme-lake/out/_reports/r1.json')],
  ['listing under the code prefix', s3('ListBucket', 'arn:aws:s3:::acme-code', { 's3:prefix': 'emrflow/code/abc/' })],
  ['publishing: moving a table under the output (#13)', s3('DeleteObject', 'arn:aws:s3:::acme-lake/out/_staging/r1/songs/part-0.parquet')],
];

const DENIED: [string, Request][] = [
  ['item 2: AddTags emrflow:managed=true on somebody else\'s cluster (the takeover)', emr('AddTags', cluster('j-THEIRS'), requestTags({ 'emrflow:managed': 'true' }))],
  ['item 2: AddTags moving a managed cluster to another deployment', emr('AddTags', cluster('j-MINE'), { ...ours, ...requestTags({ 'emrflow:deployment': 'staging' }) })],
  ['item 2: RemoveTags of emrflow:managed', emr('RemoveTags', cluster('j-MINE'), { ...ours, 'aws:TagKeys': ['emrflow:managed'] })],
  ['item 2: AddTags of any other tag (the worker never tags after create)', emr('AddTags', cluster('j-THEIRS'), requestTags({ team: 'x' }))],
  ['item 2: AddTags of the whole create tag set on an existing cluster (a takeover dressed as tag on create)', emr('AddTags', cluster('j-THEIRS'), requestTags(createTags))],
  ['tag on create without emrflow:managed', emr('AddTags', CREATING, requestTags({ team: 'data' }))],
  ['tag on create without a deployment tag', emr('AddTags', CREATING, requestTags({ 'emrflow:managed': 'true', 'emrflow:workflow-id': 'w' }))],
  ['RunJobFlow without emrflow:managed', emr('RunJobFlow', '*', requestTags({ team: 'data' }))],
  ['RunJobFlow without a deployment tag', emr('RunJobFlow', '*', requestTags({ 'emrflow:managed': 'true', 'emrflow:workflow-id': 'w' }))],
  ...['AddJobFlowSteps', 'TerminateJobFlows', 'CancelSteps', 'SetKeepJobFlowAliveWhenNoSteps']
    .map((a): [string, Request] => [`${a} on an unmanaged cluster`, emr(a, cluster('j-THEIRS'))]),
  ['PassRole of another role', { action: 'iam:PassRole', resource: 'arn:aws:iam::111122223333:role/Admin', context: { 'iam:PassedToService': 'elasticmapreduce.amazonaws.com' } }],
  ['deleting input data', s3('DeleteObject', 'arn:aws:s3:::acme-lake/in/log_data/2018/11/2018-11-15-events.json')],
  ['deleting staged code or logs', s3('DeleteObject', 'arn:aws:s3:::acme-code/emrflow/code/abc/etl.py')],
  ['reading outside the prefixes', s3('GetObject', 'arn:aws:s3:::acme-code/secrets.txt')],
  ['listing another prefix', s3('ListBucket', 'arn:aws:s3:::acme-code', { 's3:prefix': 'private/' })],
  // S3 answers 404 for a missing key only to a caller allowed s3:ListBucket on the bucket; it
  // checks that without any s3:prefix, which the prefix-scoped grant does not match: 403.
  ['item 9: the ListBucket check S3 makes to answer 404 (not 403) for a missing script', s3('ListBucket', 'arn:aws:s3:::acme-code')],
  ['item 9: the same for step logs not yet pushed', s3('ListBucket', 'arn:aws:s3:::acme-logs')],
];

describe('the worker policy, by behaviour', () => {
  it.each(ALLOWED)('item 2: allows %s', (_what, request) => {
    expect(evaluate(Statement, request)).toBe<Decision>('allowed');
  });
  it.each(DENIED)('denies %s', (_what, request) => {
    expect(evaluate(Statement, request)).not.toBe<Decision>('allowed');
  });
  it('item 2: an explicit Deny keeps emrflow:* tags unchanged even if another policy of the role grants AddTags', () => {
    const broad = [...Statement, { Effect: 'Allow' as const, Action: 'elasticmapreduce:*', Resource: '*' }];
    expect(evaluate(broad, emr('AddTags', cluster('j-THEIRS'), requestTags({ 'emrflow:managed': 'true' })))).toBe('denied (explicit)');
    expect(evaluate(broad, emr('AddTags', cluster('j-THEIRS'), requestTags(createTags)))).toBe('denied (explicit)');
    expect(evaluate(broad, emr('AddTags', cluster('j-THEIRS'), requestTags({ team: 'x' })))).toBe('allowed');
    // …and does not stop the cluster's own tags at creation.
    expect(evaluate(broad, emr('AddTags', CREATING, requestTags(createTags)))).toBe('allowed');
  });
});

describe('the evaluator itself', () => {
  it('treats a missing key as IAM does: StringEquals false, ForAllValues true, Null true', () => {
    const s = (Condition: Record<string, Record<string, string>>) => [{ Effect: 'Allow' as const, Action: 'a:B', Resource: '*', Condition }];
    expect(evaluate(s({ StringEquals: { k: 'v' } }), { action: 'a:B', resource: 'x' })).toBe('denied (implicit)');
    expect(evaluate(s({ 'ForAllValues:StringLike': { k: 'v*' } }), { action: 'a:B', resource: 'x' })).toBe('allowed');
    expect(evaluate(s({ Null: { k: 'true' } }), { action: 'a:B', resource: 'x' })).toBe('allowed');
    expect(evaluate(s({ Null: { k: 'false' } }), { action: 'a:B', resource: 'x' })).toBe('denied (implicit)');
  });
});
