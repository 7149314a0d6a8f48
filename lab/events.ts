/**
 * What the drill reads back after each kill: Pacemaker's log lines (millisecond timestamps),
 * the prober's results; and the statistics printed at the end. Pure functions over text, so
 * they are easy to check by hand.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Parses Pacemaker's detail-log timestamp ("Nov 25 13:18:36.950", no year; the lab's machines run in UTC) to epoch ms. */
export function pacemakerTime(line: string, year = new Date().getUTCFullYear()): number | null {
    const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) /.exec(line);
    if (!m) return null;
    const mon = MONTHS.indexOf(m[1]);
    if (mon < 0) return null;
    return Date.UTC(year, mon, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** A log line and its time (epoch ms). */
export interface LogEvent {
    /** Epoch ms. */
    t: number;
    /** The line. */
    line: string;
}

/** Lines of a Pacemaker log at or after `sinceMs` matching `re`. */
export function pacemakerEvents(text: string, re: RegExp, sinceMs: number): LogEvent[] {
    const out: LogEvent[] = [];
    for (const line of text.split("\n")) {
        if (!re.test(line)) continue;
        const t = pacemakerTime(line);
        if (t !== null && t >= sinceMs) out.push({ t, line });
    }
    return out;
}

/** "Node X state is now lost" as logged by any Pacemaker daemon of a survivor. */
export const lostRe = (node: string): RegExp => new RegExp(`Node ${node} state is now lost`);
/** The controller's record of a successful operation of a resource ("start", "stop"). */
export const resultRe = (op: string, rsc: string): RegExp => new RegExp(`Result of ${op} operation for ${rsc} on (\\S+): ok`);

/** One query of the prober. */
export interface Probe {
    /** When it started (epoch ms). */
    start: number;
    /** When it ended. */
    end: number;
    /** Whether it read the marker row. */
    ok: boolean;
}

/** The prober's output: "START_MS END_MS ok|fail", sorted by start. */
export function parseProbes(text: string): Probe[] {
    return text
        .split("\n")
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f.length === 3 && /^\d+$/.test(f[0]))
        .map((f) => ({ start: Number(f[0]), end: Number(f[1]), ok: f[2] === "ok" }))
        .sort((a, b) => a.start - b.start);
}

/**
 * Outage seen by the prober after `sinceMs`: the first failed query, and the first successful
 * query started after it (its answer time is "service answering again").
 */
export function outage(probes: readonly Probe[], sinceMs: number): { firstFail: Probe | null; back: Probe | null; failures: number } {
    const after = probes.filter((p) => p.start >= sinceMs);
    const firstFail = after.find((p) => !p.ok) ?? null;
    const back = firstFail ? after.find((p) => p.ok && p.start > firstFail.start) ?? null : null;
    return { firstFail, back, failures: after.filter((p) => !p.ok).length };
}

/** Minimum, median and maximum of n values. */
export interface Stats {
    /** How many values. */
    n: number;
    /** Smallest. */
    min: number;
    /** Median. */
    median: number;
    /** Largest. */
    max: number;
}

/** min / median / max of the values, or null when there are none. */
export function stats(values: readonly number[]): Stats | null {
    if (values.length === 0) return null;
    const v = [...values].sort((a, b) => a - b);
    const mid = Math.floor(v.length / 2);
    const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    return { n: v.length, min: v[0], median, max: v[v.length - 1] };
}

/** Seconds with one decimal ("12.3 s"), or "-" when unknown. */
export function secs(ms: number | null | undefined): string {
    return ms === null || ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;
}
