// The end of `npm start`'s demo run: a real query on the tables the run just wrote, and the
// commands to try next, so the first thing a new user sees of the lake is an answer, not a path.
import type { EmrflowConfig } from '../config';
import { formatTable } from './format';
import type { QueryResult } from './result';

export const TOP_SONGS_SQL =
  'SELECT s.title, a.name AS artist, count(*) AS plays FROM songplays p JOIN songs s ON p.song_id = s.song_id ' +
  'JOIN artists a ON p.artist_id = a.artist_id GROUP BY s.title, a.name ORDER BY plays DESC, s.title LIMIT 5';

export const TRY_NEXT = [
  'npx emrflow query "SELECT count(*) FROM songplays"',
  'npx emrflow query "SELECT level, count(*) AS plays FROM songplays GROUP BY level" --csv',
  'npx emrflow tables',
];

/** The lines to print: the five most played songs of the sample, then what to try next. */
export async function demoQueryLines(config: EmrflowConfig, run: (config: EmrflowConfig, sql: string, maxRows: number) => Promise<QueryResult>): Promise<string[]> {
  const lines: string[] = [];
  try {
    const top = await run(config, TOP_SONGS_SQL, 5);
    lines.push(`the five most played songs (emrflow query, ${top.engine}):`, ...formatTable(top).trimEnd().split('\n').map((l) => `  ${l}`));
  } catch (e) {
    lines.push(`querying the tables failed: ${(e as Error).message}`);
  }
  lines.push('query the tables yourself:', ...TRY_NEXT.map((c) => `  $ ${c}`));
  return lines;
}
