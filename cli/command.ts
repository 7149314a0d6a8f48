/**
 * What a command of the operators' tool (`dbaas`) is: a name, its options and what it does.
 * A command lands as a new file in cli/commands/ and one line in cli/commands/index.ts.
 */
import { ParseArgsConfig } from "util";

/** An option of a command (`--name VALUE`, or a flag). */
export interface OptionSpec {
    /** Whether the option takes a value. */
    readonly type: "string" | "boolean";
    /** What it is, for `--help`. */
    readonly help: string;
    /** The value's placeholder in `--help`, e.g. "FILE". */
    readonly value?: string;
    /** Whether the command cannot run without it. */
    readonly required?: boolean;
}

/** Where a command writes. */
export interface CommandIo {
    /** Standard output. */
    readonly out: (text: string) => void;
    /** Standard error. */
    readonly err: (text: string) => void;
}

/** The parsed options and positional arguments of one call. */
export interface CommandArgs {
    /** Options by name (strings, or true for flags). */
    readonly options: Readonly<Record<string, string | boolean | undefined>>;
    /** Positional arguments. */
    readonly positionals: readonly string[];
}

/** One command of the tool. */
export interface Command {
    /** Its name, as typed: `dbaas <name>`. */
    readonly name: string;
    /** One line: what it does. */
    readonly summary: string;
    /** Positional arguments, for `--help`, e.g. "<file>". */
    readonly arguments?: string;
    /** How many positional arguments it takes (default none). */
    readonly positionals?: number;
    /** Its options. */
    readonly options: Readonly<Record<string, OptionSpec>>;
    /** More text for `--help`. */
    readonly details?: string;
    /** Runs it; resolves to the exit code. Throws a {@link UserError} for anything the user can fix. */
    run(args: CommandArgs, io: CommandIo): Promise<number>;
}

/** An error the user can fix (a missing file, bad input, an unreachable service): printed as one line, never a stack trace. */
export class UserError extends Error {
    /** The process exit code (2: usage; 1: anything else). */
    readonly exitCode: number;

    constructor(message: string, exitCode = 1) {
        super(message);
        this.name = "UserError";
        this.exitCode = exitCode;
        Object.setPrototypeOf(this, new.target.prototype);
    }
}

/** The `util.parseArgs` configuration of a command's options (strict: an unknown option is an error). */
export function parseArgsConfig(command: Command): ParseArgsConfig {
    const options: NonNullable<ParseArgsConfig["options"]> = { help: { type: "boolean", short: "h" } };
    for (const [name, spec] of Object.entries(command.options)) options[name] = { type: spec.type };
    return { options, allowPositionals: true, strict: true };
}

/** `--help` of a command. */
export function commandHelp(command: Command): string {
    const usage = [`dbaas ${command.name}`, command.arguments, ...Object.entries(command.options).map(([name, o]) => {
        const text = o.type === "string" ? `--${name} ${o.value ?? "VALUE"}` : `--${name}`;
        return o.required ? text : `[${text}]`;
    })].filter((p) => p !== undefined).join(" ");
    const lines = [`usage: ${usage}`, "", command.summary];
    const entries = Object.entries(command.options);
    if (entries.length > 0) {
        lines.push("", "options:");
        for (const [name, o] of entries) lines.push(`  --${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`.padEnd(28) + o.help);
        lines.push("  --help".padEnd(28) + "this text");
    }
    if (command.details) lines.push("", command.details);
    return `${lines.join("\n")}\n`;
}
