/**
 * Reads a `Pulumi.<stack>.yaml` stack config file the way the Pulumi CLI hands it to a program:
 * every value as a string (numbers and booleans as their text, lists and objects as JSON), and
 * `secure:` values as secrets (offline, each replaced by a distinctive placeholder).
 */
import { readFileSync } from "fs";
import { basename } from "path";
import { parse } from "yaml";

/** A stack config file, as the program would see it. */
export interface StackFile {
    /** The stack's name, from the file name `Pulumi.<stack>.yaml`. */
    readonly stack: string;
    /** Every config key with its value as a string. */
    readonly config: Record<string, string>;
    /** The keys whose values are secrets (`secure:` in the file). */
    readonly secretKeys: string[];
}

/** Reads and converts a stack config file; throws with the file name when it is not one. */
export function readStackFile(path: string): StackFile {
    const match = /^Pulumi\.(.+)\.ya?ml$/.exec(basename(path));
    if (!match) throw new Error(`${path}: a stack config file is named Pulumi.<stack>.yaml`);
    const doc: unknown = parse(readFileSync(path, "utf8")) ?? {};
    const values = (doc as { config?: unknown }).config ?? {};
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
        throw new Error(`${path}: "config" must be a map of keys to values`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
        const fullKey = key.includes(":") ? key : `cloud-dbaas:${key}`;
        if (isSecure(value)) {
            secretKeys.push(fullKey);
            config[fullKey] = `MOCKSECRET-config-${fullKey}`;
        } else if (typeof value === "string") {
            config[fullKey] = value;
        } else {
            config[fullKey] = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
        }
    }
    return { stack: match[1], config, secretKeys };
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}
