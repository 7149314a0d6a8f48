/**
 * Backup names and the manifest stored next to each backup.
 *
 * A backup `<database>-<YYYYMMDDTHHMMSSZ>` (UTC start time) is two objects on a crypt remote:
 * `<id>.zst`, the engine's dump compressed with zstd, and `<id>.manifest`, written only after
 * the data object was uploaded whole: a backup without its manifest is incomplete.
 *
 * The manifest is tab-separated text (the dump script writes it with printf in the engine's
 * image, where there is no JSON tool): a header line, then `key<TAB>value` lines, then one
 * `rows<TAB><table><TAB><count>` line per table. `size` and `sha256` are of the compressed
 * plaintext stream, i.e. of the object as rclone returns it once decrypted: what a restore
 * downloads and verifies before it decompresses anything.
 */

/** The manifest's first line. */
export const MANIFEST_HEADER = "dbaas-backup-manifest\t1";

/** The extension of each object of a backup. */
export const OBJECT_SUFFIX = { data: ".zst", manifest: ".manifest" } as const;

/** A parsed manifest. */
export interface Manifest {
    readonly id: string;
    readonly engine: string;
    readonly version: string;
    readonly database: string;
    readonly object: string;
    readonly compression: "zstd";
    /** Bytes of the compressed plaintext stream. */
    readonly size: number;
    /** sha256 (hex) of the compressed plaintext stream. */
    readonly sha256: string;
    /** UTC, ISO 8601 to the second. */
    readonly started: string;
    readonly finished: string;
    /** Row count per table, as the engine's count command printed them. */
    readonly rows: Readonly<Record<string, number>>;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The backup id of a database's backup started at `t`. */
export function backupId(database: string, t: Date): string {
    const iso = t.toISOString();
    return `${database}-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** The start time of a backup id of `database`, or null when the name is not one of its ids. */
export function backupTime(database: string, id: string): Date | null {
    if (!id.startsWith(`${database}-`)) return null;
    const m = STAMP.exec(id.slice(database.length + 1));
    if (!m) return null;
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
    const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    return backupId(database, t) === id ? t : null;
}

function fail(what: string): never {
    throw new Error(`backup manifest: ${what}`);
}

/** Parses a manifest; throws naming the first thing that is wrong. */
export function parseManifest(text: string): Manifest {
    const lines = text.split("\n");
    if (lines[0] !== MANIFEST_HEADER) fail(`the first line is not ${JSON.stringify(MANIFEST_HEADER)}`);
    if (lines[lines.length - 1] !== "") fail("it does not end with a line break (truncated?)");
    const kv = new Map<string, string>();
    const rows: Record<string, number> = {};
    for (const line of lines.slice(1, -1)) {
        const f = line.split("\t");
        if (f[0] === "rows") {
            if (f.length !== 3 || !/^\d+$/.test(f[2]) || f[1] === "") fail(`bad rows line ${JSON.stringify(line)}`);
            if (f[1] in rows) fail(`table ${f[1]} counted twice`);
            rows[f[1]] = Number(f[2]);
        } else {
            if (f.length !== 2) fail(`bad line ${JSON.stringify(line)}`);
            if (kv.has(f[0])) fail(`${f[0]} appears twice`);
            kv.set(f[0], f[1]);
        }
    }
    const get = (k: string, re: RegExp): string => {
        const v = kv.get(k);
        if (v === undefined) fail(`${k} is missing`);
        if (!re.test(v)) fail(`${k} ${JSON.stringify(v)} does not match ${re}`);
        return v;
    };
    const m: Manifest = {
        id: get("id", /^\S+$/), engine: get("engine", /^[a-z]+$/), version: get("version", /^\S+$/),
        database: get("database", /^\S+$/), object: get("object", /^\S+$/), compression: get("compression", /^zstd$/) as "zstd",
        size: Number(get("size", /^\d+$/)), sha256: get("sha256", /^[0-9a-f]{64}$/),
        started: get("started", ISO), finished: get("finished", ISO), rows,
    };
    if (backupTime(m.database, m.id) === null) fail(`id ${m.id} is not a backup id of database ${m.database}`);
    if (m.object !== m.id + OBJECT_SUFFIX.data) fail(`object ${m.object} is not ${m.id}${OBJECT_SUFFIX.data}`);
    const known = new Set(["id", "engine", "version", "database", "object", "compression", "size", "sha256", "started", "finished"]);
    for (const k of kv.keys()) if (!known.has(k)) fail(`unknown key ${k}`);
    return m;
}
