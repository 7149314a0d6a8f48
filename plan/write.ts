/**
 * The offline plan as a reviewer reads it: `plan.json` (every resource with its parent,
 * dependencies, protection, ignored changes and inputs; the outputs) and `artifacts/` (every
 * generated file as the machines receive it). Every secret is `[secret]`.
 */
import { mkdirSync, rmSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { StackRun } from "./run";

/** The content of `plan.json`. */
export function planOf(run: StackRun): object {
    return {
        stack: run.stack,
        // Sorted by URN: registration order varies from run to run, a reviewer's diff must not.
        resources: [...run.resources].sort((a, b) => a.urn.localeCompare(b.urn)).map((r) => ({
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            dependsOn: r.dependsOn,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            ignoreChanges: r.ignoreChanges,
            // Only where set: a replacement that deletes first.
            ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
            // Only where there are some: a moved resource shows what it was.
            ...(r.aliases.length > 0 ? { aliases: r.aliases } : {}),
            inputs: r.inputs,
        })),
        outputs: run.outputs,
    };
}

/** Writes `out/plan.json` and `out/artifacts/…` (replacing any previous artifacts). */
export function writePlan(run: StackRun, out: string): void {
    rmSync(join(out, "artifacts"), { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "plan.json"), `${JSON.stringify(planOf(run), null, 2)}\n`);
    for (const [path, content] of Object.entries(run.artifacts)) {
        const file = join(out, "artifacts", path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content, { mode: path.endsWith(".sh") ? 0o755 : 0o644 });
    }
}
