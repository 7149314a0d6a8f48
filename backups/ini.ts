/**
 * A tiny typed INI renderer (rclone's config file, Swift's server configs in the tests).
 * Values are written verbatim after `key = `: anything that an INI reader would read back
 * differently (a line break, leading or trailing blanks, a `[` or `=` in a key) is refused
 * rather than escaped, since neither rclone nor Python's configparser has one escaping rule.
 */

/** One value: strings verbatim, numbers in decimal, booleans as `true`/`false`. */
export type IniValue = string | number | boolean;

/** One `[name]` section and its keys, in order. */
export interface IniSection {
    readonly name: string;
    readonly entries: Readonly<Record<string, IniValue>>;
}

const KEY = /^[A-Za-z0-9_.\-/ ]+$/;
const SECTION = /^[A-Za-z0-9_.\-/: ]+$/;

function checkValue(section: string, key: string, v: IniValue): string {
    const s = typeof v === "string" ? v : String(v);
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`INI [${section}] ${key}: not a finite number`);
    if (/[\r\n]/.test(s)) throw new Error(`INI [${section}] ${key}: a value cannot hold a line break`);
    if (s !== s.trim()) throw new Error(`INI [${section}] ${key}: a value cannot start or end with blanks`);
    return s;
}

/** Renders sections as INI text (`key = value` lines, a blank line between sections). */
export function renderIni(sections: readonly IniSection[]): string {
    const seen = new Set<string>();
    return sections.map((sec) => {
        if (!SECTION.test(sec.name) || sec.name !== sec.name.trim()) throw new Error(`INI section name ${JSON.stringify(sec.name)} is not plain`);
        if (seen.has(sec.name)) throw new Error(`INI section [${sec.name}] appears twice`);
        seen.add(sec.name);
        const lines = Object.entries(sec.entries).map(([k, v]) => {
            if (!KEY.test(k) || k !== k.trim()) throw new Error(`INI [${sec.name}]: key ${JSON.stringify(k)} is not plain`);
            return `${k} = ${checkValue(sec.name, k, v)}`;
        });
        return [`[${sec.name}]`, ...lines].join("\n") + "\n";
    }).join("\n");
}
