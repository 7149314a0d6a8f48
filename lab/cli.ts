/**
 * `npm run drill -- [--config Pulumi.my-first-db.yaml] [--control-plane Pulumi.dev.yaml]
 *   [--kills N] [--load] [--json FILE] [--keep-seconds N] [--until-serving]`
 *
 * The whole lab (lab/scenario.ts): renders the plans, boots the bastion and the nodes from them,
 * runs the plan's remote commands through the bastion, then re-runs, re-applies after an
 * operator's changes, kills nodes (N active kills at 2 and at 3 nodes), replaces a node, grows
 * and shrinks the cluster; prints what happened and the figures (JSON with --json), then tears
 * everything down (also on SIGINT/SIGTERM). Root only. Exit 1 if anything failed or remained.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { NodesLab } from "./nodesLab";
import { summary } from "./report";
import { renderPlans, runScenario } from "./scenario";

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            config: { type: "string", default: "Pulumi.my-first-db.yaml" },
            "control-plane": { type: "string", default: "Pulumi.dev.yaml" },
            kills: { type: "string", default: "1" },
            load: { type: "boolean", default: false },
            json: { type: "string" },
            "keep-seconds": { type: "string", default: "0" },
            "until-serving": { type: "boolean", default: false },
        },
    });
    const kills = Number(values.kills);
    if (!Number.isInteger(kills) || kills < 1) throw new Error("--kills takes a whole number of active kills per size, at least 1");
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-dbaas-lab-plan-"));
    const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${m}\n`);
    try {
        const plans = await renderPlans(values.config!, values["control-plane"]!, out);
        const { data } = await runScenario(plans, log, { activeKills: kills, load: values.load, keepMs: Number(values["keep-seconds"]) * 1000, untilServing: values["until-serving"] });
        process.stdout.write(`${summary(data)}\n`);
        if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(data, null, 2)}\n`);
        const failed = data.error !== undefined || data.leftovers.length > 0 || data.kills.some((k) => k.problems.length > 0) ||
            [data.replace, data.grow, data.shrink].some((c) => !c || c.problems.length > 0);
        return failed ? 1 : 0;
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
