/**
 * Retention: which backup objects to keep and which to delete.
 *
 * {@link selectForPruning} is the rule, a pure function; {@link PRUNE_SELECT_AWK} is the same
 * rule for the prune script (the rclone image has busybox's sh and awk, no Node); a test runs
 * both on many listings and requires the same answer.
 *
 * The rule (restic's keep-daily/keep-weekly, over complete backups only):
 *  - a backup is complete when both its data object and its manifest exist;
 *  - walking complete backups newest first, keep the newest of each of the `daily` most recent
 *    UTC days that have one, and the newest of each of the `weekly` most recent ISO weeks
 *    (Monday to Sunday, UTC) that have one; delete every other complete backup;
 *  - an incomplete backup (one object of the two) is deleted once it is older than
 *    `incompleteGraceHours` (a younger one may be an upload still running);
 *  - a name that is not one of this database's backup objects is never deleted.
 * The counts are of backups that exist, not of calendar days: a schedule that stopped never
 * prunes the last backups away.
 */
import { backupTime, OBJECT_SUFFIX } from "./manifest";

/** How many backups to keep. */
export interface RetentionPolicy {
    /** Days (with a backup) whose newest backup is kept; at least 1. */
    readonly daily: number;
    /** ISO weeks (with a backup) whose newest backup is kept. */
    readonly weekly: number;
    /** Age after which an incomplete backup is deleted. */
    readonly incompleteGraceHours: number;
}

/** The defaults of the issue: daily backups, 7 daily and 4 weekly kept. */
export const DEFAULT_RETENTION: RetentionPolicy = { daily: 7, weekly: 4, incompleteGraceHours: 24 };

/** Throws naming the field when a policy is not usable. */
export function checkRetention(p: RetentionPolicy): void {
    if (!Number.isInteger(p.daily) || p.daily < 1) throw new Error(`retention daily must be an integer >= 1, got ${p.daily}`);
    if (!Number.isInteger(p.weekly) || p.weekly < 0) throw new Error(`retention weekly must be an integer >= 0, got ${p.weekly}`);
    if (!Number.isInteger(p.incompleteGraceHours) || p.incompleteGraceHours < 1) {
        throw new Error(`retention incompleteGraceHours must be an integer >= 1, got ${p.incompleteGraceHours}`);
    }
}

/** The decision on a listing: object names, sorted. */
export interface PruneSelection {
    readonly keep: string[];
    readonly delete: string[];
    /** Names that are not this database's backup objects (left alone). */
    readonly ignored: string[];
}

/** Selects the objects to delete from a listing of a crypt remote's object names. */
export function selectForPruning(database: string, names: readonly string[], policy: RetentionPolicy, now: Date): PruneSelection {
    checkRetention(policy);
    const ignored: string[] = [];
    const byId = new Map<string, { t: number; names: string[]; data: boolean; manifest: boolean }>();
    for (const name of names) {
        const kind = name.endsWith(OBJECT_SUFFIX.data) ? "data" : name.endsWith(OBJECT_SUFFIX.manifest) ? "manifest" : null;
        const id = kind ? name.slice(0, -OBJECT_SUFFIX[kind].length) : "";
        const t = kind ? backupTime(database, id) : null;
        if (!kind || !t) {
            ignored.push(name);
            continue;
        }
        const b = byId.get(id) ?? { t: t.getTime(), names: [], data: false, manifest: false };
        b.names.push(name);
        b[kind] = true;
        byId.set(id, b);
    }
    const keep: string[] = [];
    const del: string[] = [];
    const complete = [...byId.values()].filter((b) => b.data && b.manifest).sort((a, b) => b.t - a.t);
    const days = new Set<number>();
    const weeks = new Set<number>();
    for (const b of complete) {
        const day = Math.floor(b.t / 86_400_000);
        const week = Math.floor((day + 3) / 7); // 1970-01-01 was a Thursday: weeks start on Mondays
        let kept = false;
        if (!days.has(day) && days.size < policy.daily) {
            days.add(day);
            kept = true;
        }
        if (!weeks.has(week) && weeks.size < policy.weekly) {
            weeks.add(week);
            kept = true;
        }
        (kept ? keep : del).push(...b.names);
    }
    for (const b of byId.values()) {
        if (b.data && b.manifest) continue;
        (now.getTime() - b.t > policy.incompleteGraceHours * 3_600_000 ? del : keep).push(...b.names);
    }
    return { keep: keep.sort(), delete: del.sort(), ignored: ignored.sort() };
}

/**
 * The same rule in POSIX awk (busybox and Debian's mawk/gawk). Input: the object names, one a
 * line, sorted in reverse (`sort -r`: newest first, since ids are fixed-width after the
 * database name). Variables: db, daily, weekly, grace (seconds), now (epoch seconds). Output:
 * the names to delete, a backup's manifest before its data object.
 */
export const PRUNE_SELECT_AWK = `# Which backup objects to delete (backups/retention.ts states the rule).
function days(y, m, d) {
  if (m <= 2) { y -= 1; m += 12 }
  return 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + int((153 * (m - 3) + 2) / 5) + d - 719469
}
function leap(y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
function epoch(s,   y, mo, d, h, mi, se, dim) {
  if (s !~ /^[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z$/) return -1
  y = substr(s, 1, 4) + 0; mo = substr(s, 5, 2) + 0; d = substr(s, 7, 2) + 0
  h = substr(s, 10, 2) + 0; mi = substr(s, 12, 2) + 0; se = substr(s, 14, 2) + 0
  dim = substr("312831303130313130313031", 2 * mo - 1, 2) + 0
  if (mo == 2 && leap(y)) dim = 29
  if (mo < 1 || mo > 12 || d < 1 || d > dim || h > 23 || mi > 59 || se > 59) return -1
  return days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se
}
{
  name = $0
  if (substr(name, 1, length(db) + 1) != db "-") next
  rest = substr(name, length(db) + 2)
  if (rest ~ /\\.zst$/) { kind = "data"; stamp = substr(rest, 1, length(rest) - 4) }
  else if (rest ~ /\\.manifest$/) { kind = "manifest"; stamp = substr(rest, 1, length(rest) - 9) }
  else next
  t = epoch(stamp)
  if (t < 0) next
  id = db "-" stamp
  if (!(id in when)) { n++; order[n] = id; when[id] = t }
  has[id, kind] = 1
}
END {
  nd = 0; nw = 0
  for (i = 1; i <= n; i++) {
    id = order[i]; t = when[id]
    if (has[id, "data"] && has[id, "manifest"]) {
      day = int(t / 86400); week = int((day + 3) / 7); kept = 0
      if (!(day in seenday) && nd < daily) { seenday[day] = 1; nd++; kept = 1 }
      if (!(week in seenweek) && nw < weekly) { seenweek[week] = 1; nw++; kept = 1 }
      if (!kept) { print id ".manifest"; print id ".zst" }
    } else if (now - t > grace) {
      if (has[id, "manifest"]) print id ".manifest"
      if (has[id, "data"]) print id ".zst"
    }
  }
}
`;
