/**
 * Config problems: every bad, missing, conflicting or unknown key is collected and reported at
 * once, one line each, naming the key, the value and what is accepted.
 */

/** One bad, missing, conflicting or unknown key; `message` says what is accepted. `value` is undefined when the key is missing. */
export interface ConfigProblem {
    readonly key: string;
    readonly value: string | undefined;
    readonly message: string;
}

/** Formats one problem as one line, e.g. `dbaas:sizeGb = "ten": a number is expected: ...` or `dbaas:name is required: ...`. */
export function formatConfigProblem(p: ConfigProblem): string {
    if (p.value === undefined) return `${p.key} ${p.message}`;
    const shown = p.value.length > 200 ? `${p.value.slice(0, 200)}...` : p.value;
    return `${p.key} = ${JSON.stringify(shown)}: ${p.message}`;
}

/** Thrown by `parseStackConfig`: every problem found, one line per problem in `message`. */
export class ConfigError extends Error {
    /** Every problem found, in key order of the stack config then missing keys. */
    readonly problems: readonly ConfigProblem[];

    constructor(problems: readonly ConfigProblem[]) {
        super(problems.map(formatConfigProblem).join("\n"));
        this.name = "ConfigError";
        this.problems = Object.freeze([...problems]);
        Object.setPrototypeOf(this, new.target.prototype);
    }
}
