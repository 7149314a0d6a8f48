/**
 * `dbaas:version` resolution, the same for every engine: a release line ("16", "11.4") deploys
 * the minor the program pins for it; an exact minor ("16.9", "11.4.12") is deployed as given,
 * once its shape and its line are checked; a retired line is refused with its end-of-life date.
 */
import { ReleaseLine, ResolvedVersion, RetiredLine, VersionResolution } from "./engine";

/** What resolution needs of an engine. */
export interface VersionFacts {
    readonly title: string;
    readonly image: string;
    readonly releases: readonly ReleaseLine[];
    readonly retired: readonly RetiredLine[];
    /** How many dot-separated numbers a line has (PostgreSQL 1: "16"; MariaDB 2: "11.4"); a minor has one more. */
    readonly lineParts: number;
}

const NUMBER = /^(0|[1-9][0-9]{0,3})$/;

/** "16.14" → [16, 14]; undefined when not dot-separated decimal numbers. */
function parts(text: string): number[] | undefined {
    const p = text.split(".");
    return p.every((x) => NUMBER.test(x)) ? p.map(Number) : undefined;
}

/** Compares two versions of the same length, number by number. */
function compare(a: readonly number[], b: readonly number[]): number {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
}

/** The accepted values, as a sentence fragment: `15, 16, 17, 18 (or an exact minor such as "18.4")`. */
export function acceptedVersions(facts: VersionFacts): string {
    const last = facts.releases[facts.releases.length - 1];
    return `${facts.releases.map((r) => r.major).join(", ")} (or an exact minor release of one of them, such as "${last.pinned}")`;
}

function resolved(facts: VersionFacts, line: ReleaseLine, minor: string, pinnedByProgram: boolean): ResolvedVersion {
    const imageTag = `${minor}-${line.variant}`;
    return { major: line.major, minor, pinnedByProgram, imageTag, image: `${facts.image}:${imageTag}` };
}

/** Resolves `dbaas:version` (see the module comment). */
export function resolveWith(facts: VersionFacts, text: string): VersionResolution {
    const accepted = acceptedVersions(facts);
    const p = parts(text);
    if (p === undefined || p.length < facts.lineParts || p.length > facts.lineParts + 1) {
        return { ok: false, message: `is not a ${facts.title} version: accepted versions are ${accepted}` };
    }
    const lineText = p.slice(0, facts.lineParts).join(".");
    const retired = facts.retired.find((r) => r.major === lineText);
    if (retired) {
        return { ok: false, message: `${facts.title} ${retired.major} reached its end of life on ${retired.endOfLife} and is no longer offered: accepted versions are ${accepted}` };
    }
    const line = facts.releases.find((r) => r.major === lineText);
    if (!line) return { ok: false, message: `${facts.title} ${lineText} is not offered: accepted versions are ${accepted}` };
    if (p.length === facts.lineParts) return { ok: true, version: resolved(facts, line, line.pinned, true) };
    const oldest = parts(line.oldestMinor)!;
    if (compare(p, oldest) < 0) {
        return { ok: false, message: `${facts.title} ${text} is older than ${line.oldestMinor}, the oldest ${line.major} release offered (as the "${line.variant}" image variant we deploy): use ${line.oldestMinor} or later, or "${line.major}" (${line.pinned})` };
    }
    // Normalised text (no leading zeros are possible: NUMBER refuses them).
    return { ok: true, version: resolved(facts, line, p.join("."), false) };
}
