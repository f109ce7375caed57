// The publish intent protocol (SPEC.md): record every move before making the first, then for each
// move put the current target aside under _previous/<run-id> and install the staged directory in
// its place, recording each half in the intent; once every move is installed, delete _previous,
// then _staging, then the intent last. Anyone who finds an intent rolls it forward, so a publish
// killed at any point is completed by whoever comes next, and no previous version of a target is
// deleted before every new one is in place.
import { ApplicationFailure } from '@temporalio/common';
import {
  INTENT_PATH, intentProblem, manifestOf, manifestProblem, previousOf, stagingOf,
  type Intent, type Manifest, type Move,
} from './intent';
import type { LakeStorage } from './storage';

/** What a publish is doing now: heartbeat details, and kill points for the crash tests. */
export interface PublishStep {
  runId: string;
  /** 0-based index of the move, absent for the steps around the moves. */
  move?: number;
  moves: number;
  table?: string;
  doing: string;
}

export interface PublishObserver {
  /** Before each step (activities heartbeat it). */
  onStep?(step: PublishStep): void;
  /** Named points between steps (tests kill the process at one of them; see test/activities/publish). */
  at?(point: string): Promise<void> | void;
}

const RUN_ID = /^[A-Za-z0-9._:-]+$/;

function badInput(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'PublishInputInvalid', nonRetryable: true, message });
}

export async function readIntent(storage: LakeStorage): Promise<Intent | undefined> {
  const intent = await storage.readJson<Intent>(INTENT_PATH);
  if (intent === undefined) return undefined;
  const problem = intentProblem(storage.uri(INTENT_PATH), intent);
  // A pending intent that cannot be read blocks every publish of this lake: say so, do not guess.
  if (problem) throw badInput(`${problem}; fix or remove it by hand after checking _staging and _previous`);
  return intent;
}

/** Applies (or finishes applying) every move of an intent, then cleans up: steps 3 and 4 of the protocol. */
export async function rollForward(storage: LakeStorage, intent: Intent, observer: PublishObserver = {}): Promise<void> {
  const moves = intent.moves.length;
  const step = (doing: string, i?: number, m?: Move) =>
    observer.onStep?.({ runId: intent.run_id, moves, doing, ...(i === undefined ? {} : { move: i, table: m!.table }) });
  const at = async (point: string) => { await observer.at?.(point); };
  const record = () => storage.writeJson(INTENT_PATH, intent);

  for (const [i, m] of intent.moves.entries()) {
    if (intent.progress[String(i)] === undefined) {
      const aside = `${intent.previous}/${m.target}`;
      if (await storage.exists(m.target)) {
        step(`putting ${m.target} aside under ${intent.previous}`, i, m);
        await storage.move(m.target, aside, {
          onProgress: (n, of) => step(`putting ${m.target} aside under ${intent.previous} (${n}/${of} objects)`, i, m),
          onCopied: () => at(`backup-copied:${i}`),
        });
      }
      await at(`backup-unrecorded:${i}`);
      intent.progress[String(i)] = 'backed-up';
      await record();
      await at(`backed-up:${i}`);
    }
    if (intent.progress[String(i)] === 'backed-up') {
      const staged = m.staged === null ? null : `${intent.staging}/${m.staged}`;
      if (staged !== null && await storage.exists(staged)) {
        step(`installing ${m.target}`, i, m);
        await storage.move(staged, m.target, {
          onProgress: (n, of) => step(`installing ${m.target} (${n}/${of} objects)`, i, m),
          onCopied: () => at(`install-copied:${i}`),
        });
      }
      await at(`install-unrecorded:${i}`);
      intent.progress[String(i)] = 'installed';
      await record();
      await at(`installed:${i}`);
    }
  }

  step(`removing ${intent.previous} and ${intent.staging}`);
  await storage.removeTree(intent.previous);
  await storage.removeIfEmpty('_previous');
  await at('previous-removed');
  await storage.removeTree(intent.staging);
  await storage.removeIfEmpty('_staging');
  await at('staging-removed');
  await markReportPublished(storage, intent);
  await storage.deleteFile(INTENT_PATH);
  await storage.removeIfEmpty('_publish');
}

/**
 * The run report records that its run was published, so a retry of publishStaged after the
 * intent and the staging are gone knows the publish happened rather than failing.
 */
async function markReportPublished(storage: LakeStorage, intent: Intent): Promise<void> {
  const path = `_reports/${intent.run_id}.json`;
  const report = await storage.readJson<Record<string, unknown>>(path);
  if (report === undefined || report.published === true) return;
  await storage.writeJson(path, { ...report, published: true, published_targets: intent.moves.map((m) => m.target) });
}

/** Rolls forward the pending intent, if any; returns its run id. */
export async function recover(storage: LakeStorage, observer: PublishObserver = {}): Promise<string | null> {
  const intent = await readIntent(storage);
  if (!intent) return null;
  await rollForward(storage, intent, observer);
  return intent.run_id;
}

export interface PublishResult {
  /** The targets this run's publish installed (or removed). */
  published: string[];
  /** Another run's pending publish that was completed first, if any. */
  rolledForward: string | null;
}

/** publish(run_id) of the protocol: finish any pending intent, then record and apply this run's manifest. */
export async function publish(storage: LakeStorage, runId: string, observer: PublishObserver = {}): Promise<PublishResult> {
  if (!RUN_ID.test(runId)) throw badInput(`invalid run id "${runId}": letters, digits, ".", "_", ":" and "-" only`);
  const pending = await readIntent(storage);
  let rolledForward: string | null = null;
  if (pending) {
    await rollForward(storage, pending, observer);
    if (pending.run_id === runId) return { published: pending.moves.map((m) => m.target), rolledForward: null };
    rolledForward = pending.run_id;
  }

  const manifest = await storage.readJson<Manifest>(manifestOf(runId));
  if (manifest === undefined) {
    const report = await storage.readJson<{ published?: boolean; published_targets?: string[] }>(`_reports/${runId}.json`);
    if (report?.published === true) return { published: report.published_targets ?? [], rolledForward };
    throw badInput(`nothing to publish for run ${runId}: ${storage.uri(manifestOf(runId))} does not exist (the job did not finish staging) and the run was not published before`);
  }
  const problem = manifestProblem(storage.uri(manifestOf(runId)), manifest, runId);
  if (problem) throw badInput(problem);

  await observer.at?.('before-intent');
  const intent: Intent = {
    format: 1,
    run_id: runId,
    staging: stagingOf(runId),
    previous: previousOf(runId),
    created_at: new Date().toISOString(),
    moves: manifest.moves,
    progress: {},
  };
  await storage.writeJson(INTENT_PATH, intent);
  await observer.at?.('intent-written');
  await rollForward(storage, intent, observer);
  return { published: intent.moves.map((m) => m.target), rolledForward };
}
