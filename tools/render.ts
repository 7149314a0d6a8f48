/**
 * The offline plan: `npm run render -- --config Pulumi.<stack>.yaml --out DIR`.
 *
 * Runs the program under the Pulumi SDK's mock runtime (no cloud, no Pulumi CLI) and writes
 * DIR/plan.json (every resource with its parent, dependencies, protection and inputs; the
 * outputs) and DIR/artifacts/ (every generated file as the machines receive it). Every secret
 * is replaced by "[secret]". A database config renders on its own: its control plane's outputs
 * are the documented placeholders of stacks/contract.ts. Bad config: the errors, exit 1.
 */
import { mkdirSync, rmSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { parseArgs } from "util";
import { ConfigError } from "../config/schema";
import { planOf, runStack } from "../testing/harness";

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { config: { type: "string" }, out: { type: "string" } } });
    if (!values.config || !values.out) {
        process.stderr.write("usage: npm run render -- --config Pulumi.<stack>.yaml --out DIR\n");
        return 2;
    }
    let run;
    try {
        run = await runStack(values.config);
    } catch (err) {
        if (err instanceof ConfigError) {
            process.stderr.write(`${values.config}: invalid stack config:\n${err.message}\n`);
            return 1;
        }
        throw err;
    }
    const out = values.out;
    rmSync(join(out, "artifacts"), { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "plan.json"), `${JSON.stringify(planOf(run), null, 2)}\n`);
    for (const [path, content] of Object.entries(run.artifacts)) {
        const file = join(out, "artifacts", path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content, { mode: path.endsWith(".sh") ? 0o755 : 0o644 });
    }
    process.stdout.write(`${run.stack}: ${run.resources.length} resources, ${Object.keys(run.artifacts).length} artifacts -> ${out}\n`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        process.stderr.write(`render failed: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    },
);
