// Resident memory of a process, from /proc (Linux), sampled while a benchmark runs.
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in MiB; NaN when the process is gone or /proc is not there. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface RssSampler { peak(): number; last(): number; stop(): void }

export function sampleRss(pid: number, everyMs = 250): RssSampler {
  let peak = 0;
  let last = NaN;
  const timer = setInterval(() => {
    last = rssMiB(pid);
    if (last > peak) peak = last;
  }, everyMs);
  return { peak: () => peak, last: () => last, stop: () => clearInterval(timer) };
}
