/**
 * Times in the patient's own time zone (IANA, from their record). A reading typed in as "08:30" means
 * 08:30 where the patient lives, and the API wants it as RFC 3339 with that UTC offset.
 */

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

function parts(instant: Date, timeZone: string): Record<string, number> {
  const formatted = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const out: Record<string, number> = {};
  for (const part of formatted) if (part.type !== 'literal') out[part.type] = Number(part.value);
  return out;
}

/** Minutes east of UTC of the zone at that instant (e.g. -300 for New York in winter). */
export function offsetMinutesAt(instant: Date, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(p['year'] ?? 1970, (p['month'] ?? 1) - 1, p['day'] ?? 1, p['hour'] ?? 0, p['minute'] ?? 0, p['second'] ?? 0);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

function pad(value: number, width = 2): string {
  return String(Math.abs(value)).padStart(width, '0');
}

export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/**
 * `2026-03-08T08:30` (an <input type="datetime-local"> value) in `timeZone` as RFC 3339 with offset,
 * or null when it is not such a value or names a time that does not exist there (a spring-forward gap).
 */
export function localInputToRfc3339(local: string, timeZone: string): string | null {
  const match = LOCAL_INPUT.exec(local.trim());
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  if (Number.isNaN(wallAsUtc)) return null;
  // The offset at the wall time read as UTC is off by at most one transition: settle it in two steps.
  let offset = offsetMinutesAt(new Date(wallAsUtc), timeZone);
  offset = offsetMinutesAt(new Date(wallAsUtc - offset * 60_000), timeZone);
  const instant = new Date(wallAsUtc - offset * 60_000);
  if (toLocalInput(instant, timeZone) !== `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}`) return null;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:00${formatOffset(offset)}`;
}

/** The instant as an <input type="datetime-local"> value in `timeZone`. */
export function toLocalInput(instant: Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${pad(p['year'] ?? 1970, 4)}-${pad(p['month'] ?? 1)}-${pad(p['day'] ?? 1)}T${pad(p['hour'] ?? 0)}:${pad(p['minute'] ?? 0)}`;
}

/** A time as people read it in the zone, e.g. "Tue 4 Mar, 08:30". */
export function formatInZone(instant: Date, timeZone: string, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

/** "12 min ago", "3 h 5 min ago", "2 days ago" - the age of something at a glance. */
export function ageOf(since: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) {
    const rest = minutes % 60;
    return rest === 0 ? `${Math.floor(minutes / 60)} h ago` : `${Math.floor(minutes / 60)} h ${rest} min ago`;
  }
  return `${Math.floor(minutes / 1440)} days ago`;
}
