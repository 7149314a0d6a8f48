/**
 * An offline plan as the lab uses it: `dbaas render`'s folder (plan.json, artifacts/), its
 * nodes with their user data and addresses, and its remote commands with the standard input
 * the lab supplies (its own secrets where the plan says "[secret]").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FileDrop } from "../render/fileDrop";
import { must } from "./proc";
import { PlanResource, RemoteStep, mockServerIds, planNodes, realize, remoteSteps } from "./plan";
import { LabSecrets, substituteDrop } from "./secrets";
import { advertisedAddress } from "./userData";

const ROOT = path.join(__dirname, "..");

/** Renders a stack config with the project's own command (`dbaas render`) into `dir`; `nodes` overrides dbaas:nodes. */
export async function renderPlan(config: string, dir: string, nodes?: number): Promise<string> {
    let file = path.resolve(ROOT, config);
    if (nodes !== undefined) {
        // The same stack file (same stack name: the file's), with dbaas:nodes changed, as an operator's pull request would.
        const copy = path.join(`${dir}-config`, path.basename(file));
        fs.mkdirSync(path.dirname(copy), { recursive: true });
        const text = fs.readFileSync(file, "utf8");
        const changed = /^(\s*)dbaas:nodes:.*$/m.test(text) ? text.replace(/^(\s*)dbaas:nodes:.*$/m, `$1dbaas:nodes: ${nodes}`) : text.replace(/^config:\n/m, `config:\n  dbaas:nodes: ${nodes}\n`);
        if (!changed.includes(`dbaas:nodes: ${nodes}`)) throw new Error(`${config}: could not set dbaas:nodes`);
        fs.writeFileSync(copy, changed);
        file = copy;
    }
    await must("node", [path.join(ROOT, "cli/dbaas.js"), "render", "--config", file, "--out", dir], 180000);
    return dir;
}

/** One rendered plan. */
export class LabPlan {
    /** plan.json's resources. */
    readonly resources: PlanResource[];
    /** Node host names, in index order. */
    readonly nodes: string[];
    /** Each node's user data, as the plan writes it. */
    readonly userData: Record<string, string>;
    /** Each node's address (its Consul agent's advertise_addr). */
    readonly addresses: Record<string, string>;
    /** The servers' mock ids, by host name. */
    readonly mockIds: Record<string, string>;

    constructor(readonly dir: string) {
        this.resources = (JSON.parse(this.artefact("plan.json")) as { resources: PlanResource[] }).resources;
        this.nodes = planNodes(this.resources);
        this.userData = Object.fromEntries(this.nodes.map((n) => [n, this.artefact(`artifacts/cloud-init/${n}.yaml`)]));
        this.addresses = Object.fromEntries(this.nodes.map((n) => [n, advertisedAddress(this.userData[n])]));
        const configure = remoteSteps(this.resources, (a) => this.hostOf(a)).find((s) => s.name.endsWith("-configure"));
        if (!configure) throw new Error(`${dir}: no configure command in the plan`);
        this.mockIds = mockServerIds(configure.create);
    }

    /** A file of the plan's folder. */
    artefact(rel: string): string {
        return fs.readFileSync(path.join(this.dir, rel), "utf8");
    }

    /** The node whose address this is. */
    hostOf(address: string): string | undefined {
        return this.nodes.find((n) => this.addresses?.[n] === address);
    }

    /** The remote commands, with the servers' real ids (`ids`: mock → real) in place of the mock's. */
    steps(ids: Readonly<Record<string, string>>): RemoteStep[] {
        return remoteSteps(realize(this.resources, ids), (a) => this.hostOf(a));
    }

    /** The standard input the lab supplies for a step of this plan (its secrets substituted). */
    stdinOf(step: RemoteStep, secrets: LabSecrets): string | undefined {
        switch (step.stdinKind) {
            case "none":
                return undefined;
            case "plain":
                return step.stdin;
            case "hacluster-password-line":
                return `${secrets.hacluster}\n`;
            case "file-drop-payload": {
                const drop = JSON.parse(this.artefact(`artifacts/ssh/${step.node}.json`)) as FileDrop;
                return JSON.stringify(substituteDrop(drop, step.node, secrets));
            }
        }
    }
}
