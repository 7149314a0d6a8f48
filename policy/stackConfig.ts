/**
 * Where the policy pack finds the stack's configuration (`dbaas:allowedCidrs`, `dbaas:deleteData`).
 *
 * `@pulumi/policy` hands a pack its own policy config and the stack's tags, not the stack's
 * config. So, in order:
 *   1. `PULUMI_CONFIG` in the pack's environment (a JSON map of full keys to strings), when the
 *      CLI provides it;
 *   2. the GitOps file itself: `Pulumi.<stack>.yaml`, the stack name taken from the resources'
 *      URNs (`urn:pulumi:<stack>::<project>::…`), looked up in `$DBAAS_STACK_CONFIG_DIR`, the
 *      repository root (the parent of this directory) and the working directory.
 * Only plain values are read: a `secure:` value stays out (no policy needs one).
 */
import { existsSync } from "fs";
import { join, resolve } from "path";
import { readStackFile } from "../common/stackFile";
import type { StackConfig } from "./resource";

/** The stack name in a URN, or undefined when it is not one. */
export function stackNameFromUrn(urn: string): string | undefined {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    return m ? m[1] : undefined;
}

/** Options of {@link loadStackConfig}; the defaults are the pack's real environment. */
export interface LoadOptions {
    readonly env?: NodeJS.ProcessEnv;
    readonly searchDirs?: readonly string[];
}

/** The stack's configuration as the pack can see it (see the module comment for the sources). */
export function loadStackConfig(urns: readonly string[], options: LoadOptions = {}): { config: StackConfig; source: string } {
    const env = options.env ?? process.env;
    const fromEnv = env["PULUMI_CONFIG"];
    if (fromEnv) {
        try {
            const parsed: unknown = JSON.parse(fromEnv);
            if (parsed && typeof parsed === "object" && Object.keys(parsed).some((k) => k.startsWith("dbaas:"))) {
                return { config: parsed as Record<string, string>, source: "PULUMI_CONFIG" };
            }
        } catch {
            // not JSON: fall through to the file
        }
    }
    const stack = urns.map(stackNameFromUrn).find((s) => s !== undefined);
    if (!stack) return { config: {}, source: "none (no stack name in the URNs)" };
    const dirs = options.searchDirs ?? [env["DBAAS_STACK_CONFIG_DIR"], resolve(__dirname, ".."), process.cwd()].filter((d): d is string => Boolean(d));
    for (const dir of dirs) {
        for (const ext of ["yaml", "yml"]) {
            const path = join(dir, `Pulumi.${stack}.${ext}`);
            if (existsSync(path)) return { config: { ...readStackFile(path).values }, source: path };
        }
    }
    return { config: {}, source: `none (no Pulumi.${stack}.yaml in ${dirs.join(", ")})` };
}
