/**
 * Reads a `Pulumi.<stack>.yaml` stack config file the way the Pulumi CLI hands it to a
 * program: every value as a string (numbers and booleans as their text, lists and maps as
 * JSON); a `secure:` value is a secret whose ciphertext nobody here can read, so it is listed,
 * not returned. Used by the offline plan and by the policy pack.
 *
 * Pure: no Pulumi import.
 */
import { readFileSync } from "fs";
import { basename } from "path";
import { parse } from "yaml";

/** A stack config file, as the program would see it. */
export interface StackFile {
    /** The stack's name, from the file name `Pulumi.<stack>.yaml`. */
    readonly stack: string;
    /** Every plain config key (full key, e.g. "dbaas:name") with its value as a string. */
    readonly values: Readonly<Record<string, string>>;
    /** The keys whose values are secrets (`secure:` in the file). */
    readonly secureKeys: readonly string[];
}

/** The stack name a file name gives, or undefined when it is not `Pulumi.<stack>.yaml`. */
export function stackOfFileName(path: string): string | undefined {
    return /^Pulumi\.(.+)\.ya?ml$/.exec(basename(path))?.[1];
}

/** Reads and converts a stack config file; throws, naming the file, when it is not one. */
export function readStackFile(path: string): StackFile {
    const stack = stackOfFileName(path);
    if (stack === undefined) throw new Error(`${path}: a stack config file is named Pulumi.<stack>.yaml`);
    const doc: unknown = parse(readFileSync(path, "utf8")) ?? {};
    const config = (doc as { config?: unknown }).config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new Error(`${path}: "config" must be a map of keys to values`);
    }
    const values: Record<string, string> = {};
    const secureKeys: string[] = [];
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        // A key without a namespace belongs to the project.
        const fullKey = key.includes(":") ? key : `cloud-dbaas:${key}`;
        if (value === null || value === undefined) continue;
        if (isSecure(value)) secureKeys.push(fullKey);
        else values[fullKey] = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    return { stack, values, secureKeys };
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}
