// Wall-clock time in an IANA zone → the UTC instant, without a time-zone library: read the
// zone's offset at that moment from Intl and correct once (twice covers DST edges).
function offsetMinutes(instant: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

export function zonedToUtc(isoDate: string, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10)), hour, minute);
  let guess = new Date(wall - offsetMinutes(new Date(wall), timeZone) * 60_000);
  guess = new Date(wall - offsetMinutes(guess, timeZone) * 60_000);
  return guess;
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
