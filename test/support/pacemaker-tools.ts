/**
 * Helpers that run Pacemaker's own tools (pcs -f, crm_verify, crm_simulate, crm_mon) on CIB
 * files in a temporary directory, and parse the transition graph that crm_simulate writes.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FORMAT_AGENT_PATH, FORMAT_AGENT_SCRIPT } from "../../render/pacemaker";

/** Outcome of one command. */
export interface RunResult {
    /** Exit code (null if killed by a signal). */
    readonly status: number | null;
    /** Standard output. */
    readonly stdout: string;
    /** Standard error. */
    readonly stderr: string;
}

/** Runs a command without a shell. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunResult {
    const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, input: opts.input ?? "", encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like {@link run}, but throws with the command's output when it does not exit 0. */
export function runOk(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunResult {
    const r = run(cmd, args, opts);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r;
}

/** A temporary directory removed by {@link TempDir.remove}. */
export class TempDir {
    /** Absolute path of the directory. */
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "pcmk-test-"));
    /** Absolute path of a file inside the directory. */
    file(name: string): string {
        return path.join(this.dir, name);
    }
    /** Writes a file inside the directory and returns its path. */
    write(name: string, content: string, mode = 0o644): string {
        const p = this.file(name);
        fs.writeFileSync(p, content, { mode });
        return p;
    }
    /** Removes the directory and its content. */
    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/**
 * Installs our own resource agent (ocf:dbaas:format-once) where pcs looks for it, as the nodes'
 * user data does: pcs then checks its parameters against its meta-data like any packaged agent
 * (no --force). Needs root, as on a node.
 */
export function installOurAgents(): void {
    const current = fs.existsSync(FORMAT_AGENT_PATH) ? fs.readFileSync(FORMAT_AGENT_PATH, "utf8") : "";
    if (current === FORMAT_AGENT_SCRIPT) return;
    if (process.getuid?.() !== 0) throw new Error(`${FORMAT_AGENT_PATH} must be installed (as on a node): run the tests as root`);
    fs.mkdirSync(path.dirname(FORMAT_AGENT_PATH), { recursive: true });
    fs.writeFileSync(FORMAT_AGENT_PATH, FORMAT_AGENT_SCRIPT, { mode: 0o755 });
}

/**
 * Writes an empty CIB with the given nodes and an offline node_state for each (without the
 * node_state crm_verify warns, and exits 78).
 */
export function writeEmptyCib(file: string, nodeNames: readonly string[]): void {
    installOurAgents();
    fs.writeFileSync(file, runOk("cibadmin", ["--empty"]).stdout);
    const env = { ...process.env, CIB_file: file };
    nodeNames.forEach((name, i) => {
        const id = String(i + 1);
        runOk("cibadmin", ["--create", "-o", "nodes", "-X", `<node id="${id}" uname="${name}"/>`], { env });
        runOk("cibadmin", ["--create", "-o", "status", "-X",
            `<node_state id="${id}" uname="${name}" in_ccm="false" crmd="offline" join="down" expected="down"/>`], { env });
    });
}

/** `crm_verify -x FILE -V` (0 clean, 78 warnings, other errors). */
export function crmVerify(cib: string): RunResult {
    return run("crm_verify", ["-x", cib, "-V"]);
}

/** Runs crm_simulate on `input`, saving the resulting CIB to `output` and the transition graph to `graph`. */
export function crmSimulate(input: string, extra: readonly string[], output: string, graph: string): RunResult {
    return runOk("crm_simulate", ["-x", input, "-S", ...extra, "-O", output, "-G", graph]);
}

/** One action of a transition graph. */
export interface GraphAction {
    /** Action id (unique within the graph). */
    readonly id: string;
    /** rsc_op, pseudo_event or crm_event (stonith). */
    readonly kind: string;
    /** start, stop, monitor, stonith, running, ... */
    readonly operation: string;
    /** e.g. "data-volume_start_0", "stonith-node2-reboot". */
    readonly key: string;
    /** Node it runs on, if any. */
    readonly node?: string;
    /** Resource id, with clone instance suffix (e.g. "cloud-info:1"). */
    readonly resource?: string;
    /** Ids of the actions it waits for (the synapse's triggers). */
    readonly inputs: readonly string[];
}

/** A parsed transition graph. */
export interface TransitionGraph {
    /** Actions by id. */
    readonly actions: ReadonlyMap<string, GraphAction>;
}

function attrs(tag: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of tag.matchAll(/([A-Za-z_:][-A-Za-z0-9_:.]*)="([^"]*)"/g)) out[m[1]] = m[2];
    return out;
}

const ACTION_TAG = /<(rsc_op|pseudo_event|crm_event)\b[^>]*>/;

/** Parses the XML that `crm_simulate -G` writes (synapses: one action and its trigger inputs). */
export function parseGraph(xml: string): TransitionGraph {
    const actions = new Map<string, GraphAction>();
    for (const synapse of xml.split("<synapse").slice(1)) {
        const actionSet = /<action_set>([\s\S]*?)<\/action_set>/.exec(synapse);
        const head = actionSet && ACTION_TAG.exec(actionSet[1]);
        if (!actionSet || !head) throw new Error(`synapse without an action: ${synapse.slice(0, 200)}`);
        const a = attrs(head[0]);
        const prim = /<primitive\b[^>]*>/.exec(actionSet[1]);
        const primAttrs = prim ? attrs(prim[0]) : {};
        const inputsXml = /<inputs>([\s\S]*?)<\/inputs>/.exec(synapse)?.[1] ?? "";
        const inputs = [...inputsXml.matchAll(/<trigger>\s*<(?:rsc_op|pseudo_event|crm_event)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
        actions.set(a.id, {
            id: a.id,
            kind: head[1],
            operation: a.operation,
            key: a.operation_key,
            node: a.on_node,
            resource: primAttrs["long-id"] ?? primAttrs.id,
            inputs,
        });
    }
    return { actions };
}

/** True when `later` waits, directly or through other actions, for `earlier`. */
export function waitsFor(graph: TransitionGraph, later: GraphAction, earlier: GraphAction): boolean {
    const seen = new Set<string>();
    const stack = [...later.inputs];
    while (stack.length > 0) {
        const id = stack.pop()!;
        if (id === earlier.id) return true;
        if (seen.has(id)) continue;
        seen.add(id);
        stack.push(...(graph.actions.get(id)?.inputs ?? []));
    }
    return false;
}

/** The actions matching a predicate. */
export function findActions(graph: TransitionGraph, pred: (a: GraphAction) => boolean): GraphAction[] {
    return [...graph.actions.values()].filter(pred);
}

/** Real (non-pseudo) start of a resource; throws unless there is exactly one. */
export function startOf(graph: TransitionGraph, resource: string): GraphAction {
    const found = findActions(graph, (a) => a.kind === "rsc_op" && a.operation === "start" && a.key === `${resource}_start_0`);
    if (found.length !== 1) throw new Error(`expected one start of ${resource}, found ${found.length}`);
    return found[0];
}

/**
 * Where each resource is active in a CIB (its status section), from `crm_mon --output-as=xml`:
 * resource id (clone instances share their primitive's id) → node names.
 */
export function activeNodes(cib: string): Map<string, string[]> {
    const xml = runOk("crm_mon", ["-1", "--output-as=xml"], { env: { ...process.env, CIB_file: cib } }).stdout;
    const section = /<resources>([\s\S]*?)<\/resources>/.exec(xml)?.[1] ?? "";
    const out = new Map<string, string[]>();
    for (const m of section.matchAll(/<resource\b([^>]*?)(\/>|>([\s\S]*?)<\/resource>)/g)) {
        const id = attrs(m[1]).id;
        const nodes = [...(m[3] ?? "").matchAll(/<node\b[^>]*\bname="([^"]+)"/g)].map((n) => n[1]);
        out.set(id, [...(out.get(id) ?? []), ...nodes]);
    }
    return out;
}
