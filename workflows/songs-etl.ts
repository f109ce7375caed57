// songsEtl: the songs-etl pipeline (pipelines/songs-etl.ts) under the workflow type the web UI,
// the schedule and existing run ids know. Input {} works: a full run for today's date.
import { executePipeline } from './pipeline-run';
import { PIPELINE, type SongsEtlInput, type SongsEtlSummary } from './shared';

export { statusQuery } from './pipeline-run';

export async function songsEtl(input?: SongsEtlInput): Promise<SongsEtlSummary> {
  return await executePipeline(PIPELINE, input, 'songsEtl') as SongsEtlSummary;
}
