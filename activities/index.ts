// Every side effect emrflow performs, built once per worker from the validated config.
// Workflows import only the type of this object (see workflows/activities-proxy.ts).
import type { EmrflowConfig } from '../infra/config';

export function createActivities(_config: EmrflowConfig) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
