// Makes the server's schedules match the declared ones: creates missing schedules, updates
// changed ones and leaves the rest alone. A schedule somebody paused in the web UI stays paused:
// an update carries the schedule's current state over instead of the declared one.
import { createHash } from 'node:crypto';
import { ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';

export type SyncAction = 'created' | 'updated' | 'unchanged';

/** A fingerprint of the declaration, kept in the action's memo to tell "changed" from "same". */
export function definitionHash(def: ScheduleOptions): string {
  const { scheduleId, spec, action, policies } = def;
  return createHash('sha256').update(JSON.stringify({ scheduleId, spec, action, policies })).digest('hex').slice(0, 16);
}

function withHash(def: ScheduleOptions): ScheduleOptions {
  const hash = definitionHash(def);
  return { ...def, action: { ...def.action, memo: { ...def.action.memo, emrflowDefinition: hash } } } as ScheduleOptions;
}

export async function syncSchedule(client: Client, def: ScheduleOptions): Promise<SyncAction> {
  const desired = withHash(def);
  const handle = client.schedule.getHandle(def.scheduleId);
  let current;
  try {
    current = await handle.describe();
  } catch (e) {
    if (!(e instanceof ScheduleNotFoundError)) throw e;
    await client.schedule.create(desired);
    return 'created';
  }
  const deployed = current.action.type === 'startWorkflow' ? current.action.memo?.emrflowDefinition : undefined;
  if (deployed === definitionHash(def)) return 'unchanged';
  await handle.update((prev) => ({
    ...prev,
    spec: desired.spec,
    action: desired.action,
    policies: { ...prev.policies, ...desired.policies },
    state: prev.state,
  }) as typeof prev);
  return 'updated';
}

export async function syncSchedules(client: Client, defs: ScheduleOptions[]): Promise<Record<string, SyncAction>> {
  const out: Record<string, SyncAction> = {};
  for (const def of defs) out[def.scheduleId] = await syncSchedule(client, def);
  return out;
}
