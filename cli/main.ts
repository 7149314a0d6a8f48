/**
 * `dbaas`: the operators' tool. `dbaas <command> [options]`; `dbaas --help`, `dbaas <command>
 * --help`. Input errors print one line and exit non-zero, never a stack trace.
 */
import { parseArgs } from "util";
import { Command, CommandIo, commandHelp, parseArgsConfig, UserError } from "./command";
import { COMMANDS } from "./commands";

/** `dbaas --help`. */
export function toolHelp(commands: readonly Command[] = COMMANDS): string {
    const width = Math.max(...commands.map((c) => c.name.length)) + 4;
    return [
        "usage: dbaas <command> [options]   (dbaas <command> --help for its options)",
        "",
        "commands:",
        ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
        "",
    ].join("\n");
}

/** Runs the tool on `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CommandIo, commands: readonly Command[] = COMMANDS): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
        (name === undefined ? io.err : io.out)(toolHelp(commands));
        return name === undefined ? 2 : 0;
    }
    const command = commands.find((c) => c.name === name);
    try {
        if (!command) throw new UserError(`unknown command "${name}"; commands: ${commands.map((c) => c.name).join(", ")} (dbaas --help)`, 2);
        let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
        try {
            parsed = parseArgs({ ...parseArgsConfig(command), args: [...rest] });
        } catch (err) {
            throw new UserError(`${err instanceof Error ? err.message.split("\n")[0] : String(err)} (dbaas ${command.name} --help)`, 2);
        }
        if (parsed.values["help"]) {
            io.out(commandHelp(command));
            return 0;
        }
        const missing = Object.entries(command.options).filter(([option, o]) => o.required && parsed.values[option] === undefined).map(([option]) => `--${option}`);
        if (missing.length > 0) throw new UserError(`dbaas ${command.name}: missing ${missing.join(", ")} (dbaas ${command.name} --help)`, 2);
        const wanted = command.positionals ?? 0;
        if (parsed.positionals.length !== wanted) {
            throw new UserError(`dbaas ${command.name}: expected ${wanted === 0 ? "no argument" : `${wanted} argument(s): ${command.arguments ?? ""}`}, got ${parsed.positionals.length} (dbaas ${command.name} --help)`, 2);
        }
        return await command.run({ options: parsed.values, positionals: parsed.positionals }, io);
    } catch (err) {
        if (err instanceof UserError) {
            io.err(`dbaas: ${err.message}\n`);
            return err.exitCode;
        }
        throw err;
    }
}

/** The process: `dbaas` as typed in a shell (cli/dbaas.js calls it). */
export function cli(): void {
    const io: CommandIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
    main(process.argv.slice(2), io).then(
        (code) => process.exit(code),
        (err: unknown) => {
            // A bug, not a user error: the whole story.
            process.stderr.write(`dbaas: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
            process.exit(1);
        },
    );
}
