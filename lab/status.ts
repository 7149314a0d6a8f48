/**
 * `dbaas status` against the lab, as an operator runs it: from the operator's network (the
 * bastion is its only way in), with the stack outputs it would read from Pulumi — the database
 * stack's from the offline plan, the control plane's bastion address, SSH user and key the lab's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
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
}

/** Runs `dbaas status --stack <the plan's stack>` (text, then --json) through the lab's bastion. */
export async function statusThroughBastion(lab: NodesLab, plan: LabPlan): Promise<StatusRun> {
    const plans = JSON.parse(plan.artefact("plan.json")) as { stack: string; outputs: Record<string, unknown> };
    const dir = path.join(lab.work, "status");
    fs.mkdirSync(dir, { recursive: true });
    const database = path.join(dir, "database.json");
    const controlPlane = path.join(dir, "control-plane.json");
    fs.writeFileSync(database, JSON.stringify(plans.outputs));
    fs.writeFileSync(controlPlane, JSON.stringify({ bastionAddress: OUTSIDE.bastion, sshUser: SSH_USER, sshPrivateKey: fs.readFileSync(lab.keyFile, "utf8") }), { mode: 0o600 });
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
    return { code: text.code, text: text.stdout, stderr: text.stderr + json.stderr, json: parsed };
}
