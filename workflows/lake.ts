// The run's hold on its lake (the output location), taken before its first task that writes:
// one writer per lake (the lock workflow of lake-lock.ts), then any publish a crash left
// half-done is finished (recoverPublish) and old staging removed (cleanStaging) before this run
// writes anything. Released when the run ends, whatever happened.
import { CancellationScope } from '@temporalio/workflow';
import { lake } from './activities-proxy';
import { withLakeLock } from './lake-lock';
import type { RunContext } from './pipeline-tasks';

/** The normalised output URI: one lock per lake however the URI is spelled. */
export const lakeKey = (outputUri: string): string => outputUri.replace(/^file:\/\//, '').replace(/\/+$/, '');

export interface LakeHold {
  /** Resolves once the lake is this run's (the first call takes it; later calls share it). */
  enter: () => Promise<void>;
  /** Gives the lake back (nonCancellable); a no-op when it was never taken. */
  leave: () => Promise<void>;
}

export function enterLake(ctx: RunContext): LakeHold {
  let entered: Promise<void> | undefined;
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let held: Promise<unknown> | undefined;
  return {
    enter() {
      entered ??= new Promise<void>((granted, refused) => {
        held = withLakeLock(lakeKey(ctx.settings.outputUri), (holder) => {
          ctx.status.stage = 'waitForLake';
          ctx.status.lake = `waiting for the lake, held by ${holder ?? 'another run'}`;
          ctx.show();
        }, async () => {
          ctx.status.lake = undefined;
          await ctx.stage('recoverPublish', undefined, () => lake.recoverPublish({ outputUri: ctx.settings.outputUri }));
          await ctx.stage('cleanStaging', undefined, () => lake.cleanStaging({ outputUri: ctx.settings.outputUri, keepHours: ctx.settings.stagingKeepHours ?? 72 }));
          granted();
          await released;
        });
        held.catch(refused);
      });
      // Awaited by the tasks that write; a refusal nobody awaits must not fail the workflow task.
      entered.catch(() => undefined);
      return entered;
    },
    async leave() {
      release();
      if (held) await CancellationScope.nonCancellable(() => held!.then(() => undefined, () => undefined));
    },
  };
}
