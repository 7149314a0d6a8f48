/**
 * `npx ts-node --transpile-only lab/machines/cli.ts [--config Pulumi.my-first-db.yaml]
 *   [--control-plane Pulumi.dev.yaml] [--json FILE] [--keep-seconds N]`
 *
 * Renders the offline plans, boots the nodes and the bastion, waits for cloud-init, runs the
 * plan's remote commands through the bastion in order, prints what happened (and writes it as
 * JSON), then tears everything down (also on SIGINT/SIGTERM). Root only.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { NodesLab } from "./nodesLab";
import { runScenario, renderPlans } from "./scenario";

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            config: { type: "string", default: "Pulumi.my-first-db.yaml" },
            "control-plane": { type: "string", default: "Pulumi.dev.yaml" },
            json: { type: "string" },
            "keep-seconds": { type: "string", default: "0" },
        },
    });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-dbaas-nodes-plan-"));
    const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${m}\n`);
    try {
        const plans = await renderPlans(values.config!, values["control-plane"]!, out);
        const report = await runScenario(plans, log, Number(values["keep-seconds"]) * 1000);
        process.stdout.write(`${report.text}\n`);
        if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(report.data, null, 2)}\n`);
        return report.data.leftovers.length > 0 ? 1 : 0;
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

const stop = (sig: string) => {
    process.stderr.write(`${sig}: tearing the lab down\n`);
    void Promise.all([...NodesLab.active].map((l) => l.down())).finally(() => process.exit(130));
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
        process.exit(1);
    },
);
