// createActivities as a worker builds it: provider choice, settings, job arguments, and the
// owner statuses the sweeper asks Temporal for (against the run-wide dev server).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createActivities, createProvider, jobArgs } from '../../activities';
import { connectForTest, testConfig } from '../support/temporal';

describe('createActivities', () => {
  it('picks the provider [cluster] names and exposes the non-secret settings', async () => {
    const config = testConfig({ EMRFLOW_QUALITY_MAX_REJECTED_SHARE: '0.1' });
    expect(createProvider(config).kind).toBe('local');
    expect(await createActivities(config).pipelineSettings()).toEqual({
      provider: 'local', outputUri: config.datalake.output_data, inputUri: config.datalake.input_data, maxRejectedShare: 0.1, stagingKeepHours: 72,
      // For the run page: the cluster's shape and where local clusters keep their logs.
      cluster: `spark-submit, ${config.local.spark_master}`, stateDir: config.local.state_dir,
    });
    const emr = testConfig({
      EMRFLOW_CLUSTER_PROVIDER: 'emr', EMRFLOW_S3_CODE_URI: 's3://bkt/code', EMRFLOW_S3_LOG_URI: 's3://bkt/logs',
      EMRFLOW_DATALAKE_INPUT_DATA: 's3://bkt/in', EMRFLOW_DATALAKE_OUTPUT_DATA: 's3://bkt/out',
    });
    expect(createProvider(emr).kind).toBe('emr');
    expect(await createActivities(emr).pipelineSettings()).toMatchObject({
      provider: 'emr', cluster: '1 × m5.xlarge + 2 × m5.xlarge, emr-7.13.0', region: emr.aws.region, logUri: 's3://bkt/logs',
    });
    // With a webhook: which outcomes to send, never where to.
    const hooked = testConfig({ EMRFLOW_NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/T0/B0/secret-key', EMRFLOW_NOTIFY_ON: 'failure' });
    const settings = await createActivities(hooked).pipelineSettings();
    expect(settings.notifyOn).toEqual(['failure']);
    expect(JSON.stringify(settings)).not.toContain('secret-key');
  });

  it('passes the run date only to daily runs, and always the report id', () => {
    const config = testConfig({ EMRFLOW_DATALAKE_INPUT_DATA: '/in', EMRFLOW_DATALAKE_OUTPUT_DATA: '/out' });
    expect(jobArgs(config, { mode: 'daily', runDate: '2018-11-15', reportId: 'r1' }))
      .toEqual(['--input', '/in', '--output', '/out', '--mode', 'daily', '--run-date', '2018-11-15', '--run-id', 'r1']);
    expect(jobArgs(config, { mode: 'full', runDate: '2018-11-15', reportId: 'r2' }))
      .toEqual(['--input', '/in', '--output', '/out', '--mode', 'full', '--run-id', 'r2']);
  });

  it('reports each owner workflow status, UNKNOWN when Temporal has none', async () => {
    const { client, close } = await connectForTest();
    try {
      const config = testConfig();
      const id = `owner-${randomUUID()}`;
      const handle = await client.workflow.start('noSuchWorkflowType', { taskQueue: config.temporal.task_queue, workflowId: id });
      const a = createActivities(config, { client });
      expect(await a.ownerStatuses([id, 'never-ran'])).toEqual({ [id]: 'RUNNING', 'never-ran': 'UNKNOWN' });
      await handle.terminate('test done');
      expect(await a.ownerStatuses([id])).toEqual({ [id]: 'TERMINATED' });
      // Activities never build a Temporal client of their own: the worker's, or the one passed in.
      await expect(createActivities(config).ownerStatuses([id])).rejects.toThrow('ownerStatuses needs a Temporal client');
    } finally {
      await close();
    }
  });
});
