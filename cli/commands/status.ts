import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Command, UserError } from "../command";
import { STACK_OPTIONS } from "../jobRun";
import { isObject, isString, requireOutput, stackOutputs } from "../stackOutputs";
import { ClusterStatus, parseCrmMon } from "../../render/pacemaker/crmMon";
import { RESOURCE_IDS } from "../../render/pacemaker/settings";
import { TAKEOVER_TOKEN_PATH } from "../../render/databaseNode";
import { CONSUL_SECRETS_PATH, TLS_PATHS } from "../../render/agents/paths";
import { restoreDrillPath } from "../../render/catalog";
import { shellQuote } from "../../common/shell";

/** The engine job's allocations as Nomad lists them (the fields shown). */
interface Allocation {
    readonly ID: string;
    readonly NodeName?: string;
    readonly ClientStatus: string;
    readonly DesiredStatus: string;
}

/** The restore drill's last record (Consul KV, written by the restore-drill job; render/catalog.ts). */
interface DrillRecord {
    readonly result: string;
    readonly backup?: string;
    readonly finished?: string;
    readonly tables?: number;
    readonly rows?: number;
    readonly message?: string;
}

/** What `dbaas status` read. */
export interface StatusReport {
    /** The node crm_mon ran on. */
    readonly readFrom: string;
    /** The cluster. */
    readonly cluster: ClusterStatus;
    /** The engine job's allocations, or why Nomad did not answer. */
    readonly engine: { readonly job: string; readonly allocations?: readonly Allocation[]; readonly error?: string };
    /** The last restore drill: its record, none yet (`record` null), or why it could not be read. */
    readonly restoreDrill: { readonly record?: DrillRecord | null; readonly error?: string };
    /** Nodes that did not answer over SSH, and why. */
    readonly unreachable: Readonly<Record<string, string>>;
}

/** An SSH route through the bastion, as Pulumi's remote commands use it (host keys are not checked, as theirs are not). */
class Bastion {
    private readonly dir = mkdtempSync(join(tmpdir(), "dbaas-status-"));
    private readonly config = join(this.dir, "ssh_config");

    constructor(private readonly address: string, private readonly user: string, privateKey: string) {
        writeFileSync(join(this.dir, "key"), privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, { mode: 0o600 });
        writeFileSync(this.config, ["Host *", `  IdentityFile ${join(this.dir, "key")}`, "  IdentitiesOnly yes", "  StrictHostKeyChecking no",
            "  UserKnownHostsFile /dev/null", "  BatchMode yes", "  ConnectTimeout 10", "  LogLevel ERROR", ""].join("\n"), { mode: 0o600 });
    }

    /** Runs `command` on `host` (a node's private address) through the bastion. */
    run(host: string, command: string): { code: number; stdout: string; stderr: string } {
        const r = spawnSync("ssh", ["-F", this.config, "-T", "-J", `${this.user}@${this.address}`, `${this.user}@${host}`, command], { encoding: "utf8", timeout: 60000, maxBuffer: 16 << 20 });
        if (r.error) return { code: 127, stdout: "", stderr: r.error.message };
        return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
    }

    /** Removes the key. */
    close(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Rounds of trying every node (a bastion or network hiccup passes; a cluster that is down does not), seconds between them. */
const ROUNDS = 3;
const ROUND_PAUSE_SECONDS = 5;

/** Reads the cluster from the first node that answers (each node once per round), and the engine's allocation from the node holding the group. */
function readStatus(bastion: Bastion, nodes: Readonly<Record<string, string>>, database: string, job: string): StatusReport {
    const unreachable: Record<string, string> = {};
    for (let round = 1; round <= ROUNDS; round++) {
        const read = readOnce(bastion, nodes, database, job, unreachable);
        if (read) return read;
        if (round < ROUNDS) spawnSync("sleep", [String(ROUND_PAUSE_SECONDS)]);
    }
    throw new UserError(`no node of the cluster answered through the bastion: ${Object.entries(unreachable).map(([n, why]) => `${n}: ${why}`).join("; ")}`);
}

/** One round: the first node that answers, or undefined (`unreachable` says why each did not). */
function readOnce(bastion: Bastion, nodes: Readonly<Record<string, string>>, database: string, job: string, unreachable: Record<string, string>): StatusReport | undefined {
    for (const [name, address] of Object.entries(nodes)) {
        const r = bastion.run(address, "sudo crm_mon -1 --output-as=xml --fence-history=3");
        if (r.code !== 0 || !r.stdout.includes("<pacemaker-result")) {
            unreachable[name] = (r.stderr.trim() || r.stdout.trim()).split("\n")[0] || `exit ${r.code}`;
            continue;
        }
        const cluster = parseCrmMon(r.stdout);
        delete unreachable[name];
        const restoreDrill = readDrill(bastion, address, database);
        const holder = cluster.groupNode && nodes[cluster.groupNode];
        if (!holder) return { readFrom: name, cluster, engine: { job, error: "the group runs nowhere: Nomad's agent runs only with it" }, restoreDrill, unreachable };
        // The node's own takeover token (it may list and read jobs): it never leaves the node.
        const nomad = bastion.run(holder, `sudo sh -c 'NOMAD_ADDR=https://127.0.0.1:4646 NOMAD_CACERT=${TLS_PATHS.nomad.ca} NOMAD_TOKEN="$(cat ${TAKEOVER_TOKEN_PATH})" nomad job allocs -json ${job}'`);
        let engine: StatusReport["engine"];
        try {
            if (nomad.code !== 0) throw new Error((nomad.stderr.trim() || nomad.stdout.trim()).split("\n")[0] || `exit ${nomad.code}`);
            engine = { job, allocations: JSON.parse(nomad.stdout) as Allocation[] };
        } catch (err) {
            engine = { job, error: `Nomad did not answer on ${cluster.groupNode}: ${err instanceof Error ? err.message : String(err)}` };
        }
        return { readFrom: name, cluster, engine, restoreDrill, unreachable };
    }
    return undefined;
}

/**
 * The restore drill's last record, read on a node through its Consul agent with the node's own
 * token (allowed to read that key only; it never leaves the node). Consul says "No key exists"
 * until the first drill has run.
 */
function readDrill(bastion: Bastion, address: string, database: string): StatusReport["restoreDrill"] {
    const key = restoreDrillPath(database);
    const script = `CONSUL_HTTP_ADDR=127.0.0.1:8500 CONSUL_HTTP_TOKEN="$(jq -r .acl.tokens.default ${CONSUL_SECRETS_PATH})" consul kv get ${shellQuote(key)}`;
    const r = bastion.run(address, `sudo sh -c ${shellQuote(script)}`);
    if (r.code !== 0) {
        if (/No key exists/.test(r.stderr + r.stdout)) return { record: null };
        return { error: `Consul did not answer: ${(r.stderr.trim() || r.stdout.trim()).split("\n")[0] || `exit ${r.code}`}` };
    }
    try {
        const record = JSON.parse(r.stdout) as DrillRecord;
        if (typeof record.result !== "string") throw new Error("no result");
        return { record };
    } catch (err) {
        return { error: `unreadable record at ${key}: ${err instanceof Error ? err.message : String(err)}` };
    }
}

/** One line about the last restore drill. */
function drillText(d: StatusReport["restoreDrill"]): string {
    if (d.error) return `restore drill: ${d.error}`;
    if (!d.record) return "restore drill: none recorded yet";
    const r = d.record;
    const what = [r.backup && `backup ${r.backup}`, r.tables !== undefined && `${r.tables} tables`, r.rows !== undefined && `${r.rows} rows`].filter(Boolean).join(", ");
    const head = r.result === "passed" ? "passed" : r.result.toUpperCase();
    return `restore drill: ${head} at ${r.finished ?? "?"}${what ? ` (${what})` : ""}${r.result === "passed" || !r.message ? "" : `: ${r.message}`}`;
}

/** The report as an operator reads it. */
function statusText(name: string, s: StatusReport): string {
    const c = s.cluster;
    const lines = [`cluster ${name}: ${c.nodes.length} nodes, quorum ${c.quorate ? "yes" : "NO"}, coordinator ${c.dc ?? "none"} (read on ${s.readFrom})`];
    lines.push(`nodes: ${c.nodes.map((n) => `${n.name} ${n.online ? "online" : n.unclean ? "LOST (not fenced yet)" : "offline"}${n.standby ? " (standby)" : ""}`).join(", ")}`);
    for (const [n, why] of Object.entries(s.unreachable)) lines.push(`  ${n} did not answer over SSH: ${why}`);
    lines.push(c.groupNode ? `group ${RESOURCE_IDS.group} runs on ${c.groupNode}:` : `group ${RESOURCE_IDS.group} is NOT running on one node:`);
    const width = Math.max(...c.members.map((m) => m.id.length), 8);
    for (const m of c.members) {
        lines.push(`  ${m.id.padEnd(width)}  ${m.role.padEnd(8)} ${m.nodes.join(",") || "-"}${m.failed ? "  FAILED" : ""}${m.managed ? "" : "  (unmanaged)"}  ${m.agent}`);
    }
    for (const o of c.others) lines.push(`  ${o.id.padEnd(width)}  ${o.role.padEnd(8)} ${o.nodes.join(",") || "-"}${o.failed ? "  FAILED" : ""}  ${o.agent}`);
    lines.push(c.failedActions.length ? "failed actions:" : "failed actions: none");
    for (const f of c.failedActions) lines.push(`  ${f.operation} on ${f.node}: ${f.reason} (${f.when})`);
    lines.push(c.fencing.length ? "fencing history:" : "fencing history: none");
    for (const f of c.fencing) lines.push(`  ${f.completed || "pending"}: ${f.action} of ${f.target} by ${f.delegate || "?"}: ${f.status}`);
    if (s.engine.error) lines.push(`engine (Nomad job ${s.engine.job}): ${s.engine.error}`);
    else if (!s.engine.allocations?.length) lines.push(`engine (Nomad job ${s.engine.job}): no allocation`);
    else for (const a of s.engine.allocations) lines.push(`engine (Nomad job ${s.engine.job}): allocation ${a.ID} ${a.ClientStatus} (desired ${a.DesiredStatus}) on ${a.NodeName ?? "?"}`);
    lines.push(drillText(s.restoreDrill));
    return `${lines.join("\n")}\n`;
}

const isAddressMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.keys(v).length > 0 && Object.values(v).every(isString);

/** `dbaas status`: a database cluster's state, read over SSH through the bastion. */
export const status: Command = {
    name: "status",
    summary: "Show a database cluster: the node holding the group, each member's state, failed actions, fencing history, the engine's allocation, the last restore drill.",
    options: {
        stack: { ...STACK_OPTIONS["stack"]!, required: true },
        outputs: STACK_OPTIONS["outputs"]!,
        "control-plane-outputs": STACK_OPTIONS["control-plane-outputs"]!,
        json: { type: "boolean", help: "print what was read as JSON" },
    },
    details: [
        "Reads the cluster over SSH through the bastion (the control plane's bastionAddress, sshUser and",
        "sshPrivateKey), from the first node that answers: crm_mon as root (nodes, quorum, the group and each",
        "member, failed actions, fencing history); then, on the node holding the group, the engine job's",
        "allocations with that node's own Nomad token (it never leaves the node); the last restore drill's",
        "record from Consul's KV store, with the node's own Consul token. Host keys are not checked,",
        "as Pulumi's remote commands do not check them. Every node is tried in turn, in up to 3 rounds 5 s apart.",
        "Exit 0 when the cluster was read, 1 when no node answered.",
    ].join("\n"),
    async run({ options }, io) {
        const stack = String(options["stack"]);
        const outputs = stackOutputs(stack, { file: options["outputs"] as string | undefined, command: "status" });
        const name = requireOutput(outputs, stack, "name", isString, "the database's name");
        const nodes = requireOutput(outputs, stack, "nodeAddresses", isAddressMap, "its nodes' private addresses");
        const jobs = requireOutput(outputs, stack, "jobs", isObject, "its Nomad job ids");
        const job = requireOutput(jobs, stack, "engine", isString, "the engine job's id");
        const controlPlane = requireOutput(outputs, stack, "controlPlane", isString, "the control-plane stack it runs under");
        const cp = stackOutputs(controlPlane, { file: options["control-plane-outputs"] as string | undefined, showSecrets: true, command: "status" });
        const bastion = new Bastion(
            requireOutput(cp, controlPlane, "bastionAddress", isString, "the bastion's address"),
            requireOutput(cp, controlPlane, "sshUser", isString, "the SSH user"),
            requireOutput(cp, controlPlane, "sshPrivateKey", isString, "the platform's SSH key"),
        );
        try {
            const report = readStatus(bastion, nodes, name, job);
            io.out(options["json"] ? `${JSON.stringify(report, null, 2)}\n` : statusText(name, report));
            return 0;
        } finally {
            bastion.close();
        }
    },
};
