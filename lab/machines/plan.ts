/**
 * The remote commands of an offline plan (plan.json), as Pulumi would run them: every
 * `command:remote:Command` with its `create` command line and `stdin`, on its machine, after
 * the commands it depends on. Pure functions of the plan's JSON.
 *
 * What plan.json does not say, and how the lab decides it:
 * - the machine: `connection` is wholly "[secret]" (host and user are redacted with the key),
 *   so the target is the node whose Port the command depends on; a command that depends on
 *   several nodes' ports runs on the first node (lowest index), as components/database.ts
 *   passes `firstNode`;
 * - secret standard input ("[secret]"): a RemoteFiles command's is that node's file-drop
 *   payload, a PacemakerCluster setup's is the hacluster password line (see {@link StdinKind}).
 */

/** A resource of plan.json (the fields the lab reads). */
export interface PlanResource {
    /** Type token. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    /** Parent URN, or null. */
    readonly parent: string | null;
    /** URNs this resource depends on. */
    readonly dependsOn: readonly string[];
    /** Inputs, secrets as "[secret]". */
    readonly inputs: Readonly<Record<string, unknown>>;
}

/** Which secret a command's "[secret]" standard input stands for. */
export type StdinKind = "none" | "plain" | "file-drop-payload" | "hacluster-password-line";

/** One remote command, ready to run. */
export interface RemoteStep {
    /** The resource's logical name. */
    readonly name: string;
    /** Host name of the machine it runs on. */
    readonly node: string;
    /** The command line (run by the login shell of the connection user). */
    readonly create: string;
    /** What its standard input is. */
    readonly stdinKind: StdinKind;
    /** The standard input when it is in clear in the plan. */
    readonly stdin?: string;
    /** Names of the remote commands that must succeed first. */
    readonly after: readonly string[];
}

const REDACTED = "[secret]";

/** `{type, name}` of a URN (`urn:pulumi:STACK::PROJECT::[PARENT$]TYPE::NAME`). */
export function urnRef(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a Pulumi URN: ${urn}`);
    const qualified = parts[2];
    return { type: qualified.slice(qualified.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

/** The node host names of the plan, in index order, with their Port resource names. */
export function planNodes(resources: readonly PlanResource[]): { hostname: string; port: string }[] {
    const ports = resources.filter((r) => r.type === "openstack:networking/port:Port" && typeof r.inputs["name"] === "string");
    return ports
        .map((p) => ({ hostname: String(p.inputs["name"]).replace(/-port$/, ""), port: p.name }))
        .sort((a, b) => a.hostname.localeCompare(b.hostname, "en", { numeric: true }));
}

function stdinKind(r: PlanResource): StdinKind {
    const stdin = r.inputs["stdin"];
    if (stdin === undefined) return "none";
    if (stdin !== REDACTED) return "plain";
    const parentType = r.parent ? urnRef(r.parent).type : "";
    if (parentType === "dbaas:index:RemoteFiles") return "file-drop-payload";
    if (parentType === "dbaas:index:PacemakerCluster" && r.name.endsWith("-setup")) return "hacluster-password-line";
    throw new Error(`remote command ${r.name}: secret stdin the lab does not know how to supply (parent ${parentType})`);
}

/** The plan's remote commands in an order Pulumi could run them (dependencies first, then by name). */
export function remoteSteps(resources: readonly PlanResource[]): RemoteStep[] {
    const nodes = planNodes(resources);
    const commands = resources.filter((r) => r.type === "command:remote:Command");
    const names = new Set(commands.map((c) => c.name));
    const steps = commands.map((r): RemoteStep => {
        const deps = r.dependsOn.map(urnRef);
        const onNodes = nodes.filter((n) => deps.some((d) => d.type === "openstack:networking/port:Port" && d.name === n.port));
        if (onNodes.length === 0) throw new Error(`remote command ${r.name}: depends on no node's port, cannot tell where it runs`);
        if (typeof r.inputs["create"] !== "string") throw new Error(`remote command ${r.name}: no create command in the plan`);
        const kind = stdinKind(r);
        return {
            name: r.name,
            node: onNodes[0].hostname,
            create: r.inputs["create"],
            stdinKind: kind,
            ...(kind === "plain" ? { stdin: String(r.inputs["stdin"]) } : {}),
            after: deps.filter((d) => d.type === "command:remote:Command" && names.has(d.name)).map((d) => d.name).sort(),
        };
    });
    const done = new Set<string>();
    const ordered: RemoteStep[] = [];
    while (ordered.length < steps.length) {
        const ready = steps.filter((s) => !done.has(s.name) && s.after.every((a) => done.has(a))).sort((a, b) => a.name.localeCompare(b.name));
        if (ready.length === 0) throw new Error("remote commands depend on each other in a cycle");
        for (const s of ready) {
            ordered.push(s);
            done.add(s.name);
        }
    }
    return ordered;
}

/** The fence map of the generated configuration: node host name → Nova server id (`pcmk_host_map=`). */
export function pcmkHostMap(configureCommand: string): Record<string, string> {
    const m = /pcmk_host_map=([^'"\s\\]+)/.exec(configureCommand);
    if (!m) throw new Error("no pcmk_host_map in the configuration command");
    return Object.fromEntries(m[1].split(";").filter(Boolean).map((pair) => {
        const [node, id] = pair.split(":");
        if (!node || !id) throw new Error(`bad pcmk_host_map entry ${pair}`);
        return [node, id];
    }));
}

/** The data volume's id of the generated configuration (`volume_id=` of the Cinder agent). */
export function volumeIdOf(configureCommand: string): string {
    const m = /volume_id=([0-9a-f-]{36})/.exec(configureCommand);
    if (!m) throw new Error("no volume_id in the configuration command");
    return m[1];
}
