/**
 * A stack's outputs, for the operators' tool: from the Pulumi CLI (`pulumi stack output --json`),
 * or from a file holding what that command printed (for CI jobs and the tests).
 */
import { spawnSync } from "child_process";
import { UserError } from "./command";
import { readInputFile } from "./files";

/** Where the outputs come from, and whether secrets are needed in clear. */
export interface OutputsOptions {
    /** A file holding `pulumi stack output --json [--show-secrets] --stack <stack>`'s output. */
    readonly file?: string;
    /** Whether the command needs secrets (the CLI is then asked for `--show-secrets`). */
    readonly showSecrets?: boolean;
    /** The command asking, for the messages. */
    readonly command: string;
}

/** The outputs of `stack`, as a JSON object; a {@link UserError} saying exactly what is missing otherwise. */
export function stackOutputs(stack: string, options: OutputsOptions): Record<string, unknown> {
    const argv = ["stack", "output", "--json", ...(options.showSecrets ? ["--show-secrets"] : []), "--stack", stack];
    let text: string;
    let from: string;
    if (options.file !== undefined) {
        text = readInputFile(options.file, `outputs of stack ${stack}`);
        from = options.file;
    } else {
        const r = spawnSync("pulumi", argv, { encoding: "utf8", maxBuffer: 64 << 20 });
        if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
            throw new UserError(`dbaas ${options.command} reads stack ${stack}'s outputs with the Pulumi CLI (pulumi ${argv.join(" ")}), which is not on PATH; install it, or pass a file holding that command's output`);
        }
        if (r.status !== 0) {
            throw new UserError(`pulumi ${argv.join(" ")} failed: ${(r.stderr || r.stdout).trim().split("\n")[0] ?? `exit ${r.status}`}`);
        }
        text = r.stdout;
        from = `pulumi stack output --stack ${stack}`;
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new UserError(`${from}: not JSON (expected what pulumi stack output --json prints)`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UserError(`${from}: not a JSON object of outputs`);
    return parsed as Record<string, unknown>;
}

/** One output, with the type a check accepts; a {@link UserError} naming the stack and the output otherwise. */
export function requireOutput<T>(outputs: Record<string, unknown>, stack: string, name: string, check: (v: unknown) => v is T, what: string): T {
    const value = outputs[name];
    if (value === "[secret]") throw new UserError(`stack ${stack}'s output ${name} is a secret and was not shown: the command needs it in clear (pulumi stack output --show-secrets)`);
    if (!check(value)) throw new UserError(`stack ${stack} has no output ${name} (${what}): is it the right stack, deployed with this version of the program?`);
    return value;
}

/** A non-empty string. */
export const isString = (v: unknown): v is string => typeof v === "string" && v !== "";

/** A JSON object. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
