/**
 * The remote commands of an offline plan (plan.json), as Pulumi would run them: every
 * `command:remote:Command` with its `create` command line and `stdin`, on the machine its
 * `connection.host` names, after the commands it depends on. Pure functions of the plan's JSON.
 *
 * - Secret standard input ("[secret]"): a RemoteFiles command's is that node's file-drop
 *   payload, a PacemakerCluster setup's is the hacluster password line (see {@link StdinKind}).
 * - Server ids: the offline plan's are the mock's. {@link realize} puts the lab's in their place
 *   (Pulumi's state after Nova created, or replaced, the servers); {@link changedSteps} is what a
 *   `pulumi up` would run again: the commands whose inputs differ.
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
    /** Whether a replacement deletes it first. */
    readonly deleteBeforeReplace?: boolean;
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
    /** Its inputs as the plan records them (what decides whether a `pulumi up` runs it again). */
    readonly inputs: string;
}

const REDACTED = "[secret]";
const INSTANCE = "openstack:compute/instance:Instance";
const COMMAND = "command:remote:Command";

/** `{type, name}` of a URN (`urn:pulumi:STACK::PROJECT::[PARENT$]TYPE::NAME`). */
export function urnRef(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a Pulumi URN: ${urn}`);
    const qualified = parts[2];
    return { type: qualified.slice(qualified.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

/** The node host names of the plan (its servers' names), in index order. */
export function planNodes(resources: readonly PlanResource[]): string[] {
    return resources.filter((r) => r.type === INSTANCE && typeof r.inputs["name"] === "string")
        .map((r) => String(r.inputs["name"]))
        .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
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

/**
 * The plan's remote commands in an order Pulumi could run them (dependencies first, then by
 * name); `hostOf` maps a connection's host (a node's address) to the node's host name.
 */
export function remoteSteps(resources: readonly PlanResource[], hostOf: (address: string) => string | undefined): RemoteStep[] {
    const commands = resources.filter((r) => r.type === COMMAND);
    const names = new Set(commands.map((c) => c.name));
    const steps = commands.map((r): RemoteStep => {
        const connection = r.inputs["connection"] as { host?: unknown } | undefined;
        if (typeof connection?.host !== "string") throw new Error(`remote command ${r.name}: the plan does not say where it runs (connection.host)`);
        const node = hostOf(connection.host);
        if (!node) throw new Error(`remote command ${r.name}: runs on ${connection.host}, which is no node of the plan`);
        if (typeof r.inputs["create"] !== "string") throw new Error(`remote command ${r.name}: no create command in the plan`);
        const kind = stdinKind(r);
        return {
            name: r.name,
            node,
            create: r.inputs["create"],
            stdinKind: kind,
            ...(kind === "plain" ? { stdin: String(r.inputs["stdin"]) } : {}),
            after: r.dependsOn.map(urnRef).filter((d) => d.type === COMMAND && names.has(d.name)).map((d) => d.name).sort(),
            inputs: JSON.stringify(r.inputs),
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

/**
 * The steps of `after` that a `pulumi up` from `before` runs: new commands, and those whose
 * recorded inputs or (secret) standard input differ (`stdin*` give what the lab sends for each).
 * Dependencies on commands that do not run again are dropped (they ran before).
 */
export function changedSteps(
    before: readonly RemoteStep[], after: readonly RemoteStep[],
    stdinBefore: (s: RemoteStep) => string | undefined, stdinAfter: (s: RemoteStep) => string | undefined,
): RemoteStep[] {
    const old = new Map(before.map((s) => [s.name, s]));
    const changed = after.filter((s) => {
        const was = old.get(s.name);
        return !was || was.inputs !== s.inputs || stdinBefore(was) !== stdinAfter(s);
    });
    const names = new Set(changed.map((s) => s.name));
    return changed.map((s) => ({ ...s, after: s.after.filter((a) => names.has(a)) }));
}

/** The plan's servers' mock ids, by host name (Nova's ids, offline: a hash of the name). */
export function mockServerIds(configureCommand: string): Record<string, string> {
    const m = /pcmk_host_map=([^'"\s\\]+)/.exec(configureCommand);
    if (!m) throw new Error("no pcmk_host_map in the configuration command");
    return Object.fromEntries(m[1].split(";").filter(Boolean).map((pair) => {
        const [node, id] = pair.split(":");
        if (!node || !id) throw new Error(`bad pcmk_host_map entry ${pair}`);
        return [node, id];
    }));
}

/** The plan as Pulumi's state would hold it: every mock server id replaced by the lab's (`ids`: mock → real). */
export function realize<T>(value: T, ids: Readonly<Record<string, string>>): T {
    let text = JSON.stringify(value);
    for (const [mock, real] of Object.entries(ids)) text = text.split(mock).join(real);
    return JSON.parse(text) as T;
}

/** The data volume's id of the generated configuration (`volume_id=` of the Cinder agent). */
export function volumeIdOf(configureCommand: string): string {
    const m = /volume_id=([0-9a-f-]{36})/.exec(configureCommand);
    if (!m) throw new Error("no volume_id in the configuration command");
    return m[1];
}
