// The pure parts of songsEtl: run date and mode resolution.
import { ApplicationFailure } from '@temporalio/common';
import { expect, test } from 'vitest';
import { reportIdFor, resolveRun } from '../../workflows/run-input';

const startedAt = new Date('2026-03-01T10:00:00Z');

test('the run date comes from the input, else the day before the scheduled time, else the start date', () => {
  expect(resolveRun({ runDate: '2018-11-15' }, { startedAt })).toEqual({ runDate: '2018-11-15', mode: 'daily' });
  expect(resolveRun({ runDate: '2018-11-15', mode: 'full' }, { startedAt })).toEqual({ runDate: '2018-11-15', mode: 'full' });
  expect(resolveRun({}, { startedAt, scheduledAt: new Date('2024-03-01T00:30:00Z') })).toEqual({ runDate: '2024-02-29', mode: 'daily' });
  expect(resolveRun(undefined, { startedAt })).toEqual({ runDate: '2026-03-01', mode: 'full' });
  expect(resolveRun({ runDate: null, mode: null }, { startedAt })).toEqual({ runDate: '2026-03-01', mode: 'full' });
});

test.each([
  ['2018-02-29'], ['2018-13-01'], ['2018-1-01'], [20181115],
])('runDate %j is rejected as InvalidInput', (runDate) => {
  expect(() => resolveRun({ runDate }, { startedAt })).toThrowError(ApplicationFailure);
  expect(() => resolveRun({ runDate }, { startedAt })).toThrowError(/input\.runDate must be a real date as YYYY-MM-DD/);
});

test('input that is not an object is rejected', () => {
  expect(() => resolveRun('2018-11-15', { startedAt })).toThrowError(/must be an object/);
});

test('report ids are safe as file names', () => {
  expect(reportIdFor('songs-etl 2018/11/15', 'abc-123')).toBe('songs-etl_2018_11_15-abc-123');
});
