/**
 * `dbaas status` against the lab, as an operator runs it: from the operator's network (the
 * bastion is its only way in), with the stack outputs it would read from Pulumi — the database
 * stack's from the offline plan, the control plane's bastion address, SSH user and key the lab's.
 * The restore drill's record is put where the consul stand-in reads its KV store (on every node:
 * the store is the cluster's), as the restore-drill job would have put it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { restoreDrillPath } from "../render/catalog";
import { LabPlan } from "./labPlan";
import { NodesLab, OUTSIDE, SSH_USER } from "./nodesLab";

/** What `dbaas status` printed. */
export interface StatusRun {
    /** Its exit code, text output and errors. */
    code: number;
    text: string;
    stderr: string;
    /** Its `--json` output, parsed (null when it failed). */
    json: unknown;
    /** The restore drill record the lab put in the KV store. */
    drill: Record<string, unknown>;
}

/** Where the consul stand-in (stubs/agent-stub) keeps its KV store in a machine. */
const KV_DIR = "/var/lib/cloud-dbaas-lab/kv";

/** Runs `dbaas status --stack <the plan's stack>` (text, then --json) through the lab's bastion. */
export async function statusThroughBastion(lab: NodesLab, plan: LabPlan): Promise<StatusRun> {
    const plans = JSON.parse(plan.artefact("plan.json")) as { stack: string; outputs: Record<string, unknown> };
    const dir = path.join(lab.work, "status");
    fs.mkdirSync(dir, { recursive: true });
    const database = path.join(dir, "database.json");
    const controlPlane = path.join(dir, "control-plane.json");
    fs.writeFileSync(database, JSON.stringify(plans.outputs));
    fs.writeFileSync(controlPlane, JSON.stringify({ bastionAddress: OUTSIDE.bastion, sshUser: SSH_USER, sshPrivateKey: fs.readFileSync(lab.keyFile, "utf8") }), { mode: 0o600 });
    const key = restoreDrillPath(String(plans.outputs["name"]));
    const drill = { result: "passed", backup: "2026-11-28T02:00:04Z", backupFinished: "2026-11-28T02:00:09Z", started: "2026-11-28T04:00:00Z", finished: "2026-11-28T04:00:12Z", tables: 4, rows: 100000, message: "" };
    for (const node of lab.nodeNames) {
        const put = await lab.machines.get(node)!.exec(["sh", "-c", `mkdir -p "$(dirname "$1")" && printf '%s\\n' "$2" > "$1"`, "put", `${KV_DIR}/${key}`, JSON.stringify(drill)]);
        if (put.code !== 0) throw new Error(`could not put the drill record on ${node}: ${put.stderr}`);
    }
    const cli = path.join(__dirname, "..", "cli", "dbaas.js");
    const args = ["node", cli, "status", "--stack", plans.stack, "--outputs", database, "--control-plane-outputs", controlPlane];
    const text = await lab.operatorExec(args);
    const json = await lab.operatorExec([...args, "--json"]);
    let parsed: unknown = null;
    try {
        parsed = JSON.parse(json.stdout);
    } catch {
        /* reported by the code */
    }
    return { code: text.code, text: text.stdout, stderr: text.stderr + json.stderr, json: parsed, drill };
}
