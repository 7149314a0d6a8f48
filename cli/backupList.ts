/** The output of the backups job (backups/: listScript), read into manifests, and shown as a table. Pure. */
import { Manifest, parseManifest } from "../backups/manifest";

/** What the listing says. */
export interface BackupListing {
    /** Complete backups, newest first, with their manifests. */
    readonly backups: readonly Manifest[];
    /** Data objects without a manifest (an upload that did not finish; prune removes them). */
    readonly incomplete: readonly string[];
    /** Manifests that could not be read or parsed, with why. */
    readonly unreadable: readonly string[];
}

/** Reads the list task's standard output. */
export function parseListing(text: string): BackupListing {
    const backups: Manifest[] = [];
    const incomplete: string[] = [];
    const unreadable: string[] = [];
    let current: { id: string; lines: string[] } | undefined;
    const flush = () => {
        if (!current) return;
        try {
            backups.push(parseManifest(`${current.lines.join("\n")}\n`));
        } catch (err) {
            unreadable.push(`${current.id}: ${err instanceof Error ? err.message : String(err)}`);
        }
        current = undefined;
    };
    for (const line of text.split("\n")) {
        const [kind, rest] = [line.split("\t")[0], line.split("\t").slice(1).join("\t")];
        if (kind === "backup") {
            flush();
            current = { id: rest, lines: [] };
        } else if (kind === "incomplete") incomplete.push(rest);
        else if (kind === "unreadable") unreadable.push(`${rest}: unreadable (a wrong key?)`);
        else if (current && line !== "") current.lines.push(line);
    }
    flush();
    return { backups, incomplete, unreadable };
}

function size(bytes: number): string {
    const units = ["B", "KB", "MB", "GB", "TB"];
    let v = bytes;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** The listing as a table (newest first). */
export function listingTable(l: BackupListing): string {
    const rows = [["BACKUP", "STARTED", "FINISHED", "SIZE", "ENGINE", "TABLES", "ROWS", "SHA256"]];
    for (const m of l.backups) {
        const counts = Object.values(m.rows);
        rows.push([m.id, m.started, m.finished, size(m.size), `${m.engine} ${m.version}`, String(counts.length), String(counts.reduce((a, b) => a + b, 0)), m.sha256.slice(0, 12)]);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const lines = rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
    if (l.backups.length === 0) lines.push("(no complete backup)");
    for (const i of l.incomplete) lines.push(`incomplete: ${i}`);
    for (const u of l.unreadable) lines.push(`unreadable: ${u}`);
    return `${lines.join("\n")}\n`;
}
