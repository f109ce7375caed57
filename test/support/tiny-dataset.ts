// A handful of songs and events in the real Sparkify layout: enough for every table to have
// rows (one play matches a song, one does not, one event is logged out), small enough that
// the Spark job's end-to-end runs stay quick. The job's semantics are tested in pytest.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testTempDir } from './temp-dir';

const songs = [
  { num_songs: 1, artist_id: 'AR1', artist_latitude: 35.1, artist_longitude: -90.0, artist_location: 'Memphis, TN', artist_name: 'Elvis Presley', song_id: 'SO1', title: 'Hound Dog', duration: 136.5, year: 1956 },
  { num_songs: 1, artist_id: 'AR2', artist_latitude: null, artist_longitude: null, artist_location: '', artist_name: 'Nina Simone', song_id: 'SO2', title: 'Feeling Good', duration: 177.1, year: 1965 },
  { num_songs: 1, artist_id: 'AR3', artist_latitude: 51.5, artist_longitude: -0.1, artist_location: 'London', artist_name: 'The Clash', song_id: 'SO3', title: 'London Calling', duration: 199.0, year: 0 },
];

const base = Date.UTC(2018, 10, 15, 10, 0, 0);
const event = (i: number, o: Record<string, unknown>) => ({
  artist: null, auth: 'Logged In', firstName: 'Ada', gender: 'F', itemInSession: i, lastName: 'Lovelace',
  length: null, level: 'free', location: 'London, UK', method: 'PUT', page: 'NextSong', registration: 1540000000000,
  sessionId: 7, song: null, status: 200, ts: base + i * 60_000, userAgent: 'Mozilla/5.0', userId: '10', ...o,
});
const events = [
  event(0, { artist: 'Elvis Presley', song: 'Hound Dog', length: 136.5 }),
  event(1, { artist: 'Nina Simone', song: 'Feeling Good', length: 177.1, level: 'paid' }),
  event(2, { artist: 'Somebody Else', song: 'London Calling', length: 199.0, level: 'paid' }),
  event(3, { page: 'Home', method: 'GET' }),
  event(4, { userId: '', auth: 'Logged Out', page: 'Login', firstName: null, lastName: null, gender: null, level: 'free' }),
  event(5, { userId: '11', firstName: 'Alan', lastName: 'Turing', gender: 'M', artist: 'The Clash', song: 'London Calling', length: 199.0 }),
];

export const TINY_DATASET = { songs: songs.length, events: events.length, nextSongPlays: 4, users: 2 };

export function writeTinyDataset(dir: string): void {
  for (const s of songs) {
    const d = join(dir, 'song_data', 'A', 'B', 'C');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `TR${s.song_id}.json`), JSON.stringify(s));
  }
  const logDir = join(dir, 'log_data', '2018', '11');
  mkdirSync(logDir, { recursive: true });
  writeFileSync(join(logDir, '2018-11-15-events.json'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
}

/**
 * A temporary directory holding the tiny dataset as input, with the local-provider settings (as
 * EMRFLOW_* overrides) that point a run at it: state, input, lake, a quick poll, a small driver.
 * The directory is removed when the test ends (or the file, when made in beforeAll): testTempDir.
 */
export function tinyLocalRun(prefix: string): { dir: string; settings: Record<string, string> } {
  const dir = testTempDir(prefix);
  writeTinyDataset(join(dir, 'input'));
  return {
    dir,
    settings: {
      EMRFLOW_LOCAL_STATE_DIR: join(dir, 'state'),
      EMRFLOW_DATALAKE_INPUT_DATA: join(dir, 'input'),
      EMRFLOW_DATALAKE_OUTPUT_DATA: join(dir, 'lake'),
      EMRFLOW_LOCAL_STEP_POLL_SECONDS: '1',
      EMRFLOW_LOCAL_DRIVER_MEMORY: '1g',
    },
  };
}
