/** Input files of the operators' tool: read, or one clear line saying why not. */
import { existsSync, readFileSync, statSync } from "fs";
import { readStackFile, StackFile } from "../common/stackFile";
import { UserError } from "./command";

/** The path, when it names a readable file; otherwise a {@link UserError} naming it and what it should be. */
export function requireFile(path: string, what: string): string {
    if (!existsSync(path)) throw new UserError(`${path}: no such file (the ${what})`);
    if (!statSync(path).isFile()) throw new UserError(`${path}: not a file (the ${what})`);
    return path;
}

/** The content of a readable file. */
export function readInputFile(path: string, what: string): string {
    return readFileSync(requireFile(path, what), "utf8");
}

/** The path of a readable, well-formed `Pulumi.<stack>.yaml`; a {@link UserError} saying what is wrong otherwise. */
export function requireStackFile(path: string): string {
    readStackFileOrFail(path);
    return path;
}

/** A stack config file, read; a {@link UserError} naming the file and the problem (no such file, bad name, bad YAML). */
export function readStackFileOrFail(path: string): StackFile {
    requireFile(path, "stack config file, Pulumi.<stack>.yaml");
    try {
        return readStackFile(path);
    } catch (err) {
        const message = err instanceof Error ? err.message.split("\n")[0]! : String(err);
        throw new UserError(message.startsWith(path) ? message : `${path}: ${message}`);
    }
}
