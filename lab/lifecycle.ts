/**
 * Changes of a running cluster, as `pulumi up` makes them, while the client keeps querying:
 * - a server replaced (Nova deletes it first, the new one gets the same port, a blank disk and
 *   a new id), after the operator stopped its cluster (README: replacing a node);
 * - dbaas:nodes changed (2 → 3: a new server; 3 → 2: the last one goes).
 * Each runs exactly the remote commands whose inputs changed ({@link changedSteps}), then checks
 * that every declared node is a member, quorum holds, and the group neither moved nor restarted.
 */
import { clusterStatus, groupOperations, serving, waitStatus } from "./checks";
import { Prober } from "./drill";
import { LabPlan } from "./labPlan";
import { NodesLab, StepResult } from "./nodesLab";
import { RemoteStep, changedSteps } from "./plan";

/** What one change did. */
export interface ChangeResult {
    /** What changed. */
    what: string;
    /** The commands `pulumi up` ran again, and how they went. */
    steps: StepResult[];
    /** Seconds: new servers' cloud-init (from power on), then the commands, then the cluster serving with every declared node. */
    cloudInitS: number | null;
    commandsS: number;
    servingS: number;
    /** Nodes online at the end, quorum, where the group was before and after, group member starts/stops, failed queries. */
    online: string[];
    quorate: boolean;
    groupBefore: string | null;
    groupAfter: string | null;
    groupOperations: number;
    probeFailures: number;
    /** Every check that failed. */
    problems: string[];
}

/** Where a change starts from: the commands as they ran, with the standard input they had. */
interface Before {
    readonly steps: readonly RemoteStep[];
    readonly stdinOf: (s: RemoteStep) => string | undefined;
    readonly t0: number;
    readonly groupBefore: string | null;
    readonly opsBefore: number;
    /** The nodes whose Pacemaker logs count (a replaced server's log is gone with its disk). */
    readonly logsOf?: readonly string[];
}

/** Runs the commands of `to` that differ from what ran before, and checks the outcome. */
async function apply(lab: NodesLab, from: Before, to: LabPlan, what: string, prober: Prober, booted: string[], expectMove = false): Promise<ChangeResult> {
    const { t0, groupBefore, opsBefore } = from;
    let cloudInitS: number | null = null;
    for (const n of booted) {
        const ci = await lab.waitCloudInit(n);
        cloudInitS = Math.max(cloudInitS ?? 0, ci.seconds);
        await lab.waitSsh(n, 120000);
    }
    const changed = changedSteps(from.steps, lab.steps(to), from.stdinOf, (s) => to.stdinOf(s, lab.secrets!));
    const tc = Date.now();
    lab.log(`  ${what}: running ${changed.map((s) => s.name).join(", ")}`);
    const steps = await lab.runSteps(to, changed, (r) => lab.log(`  ${r.name} on ${r.node}: ${r.skipped ? `not run (${r.skipped})` : `exit ${r.code} in ${r.seconds.toFixed(1)} s`}`));
    const commandsS = (Date.now() - tc) / 1000;
    const ts = Date.now();
    const done = await waitStatus(lab, 300000, (s) => serving(lab)(s) && s.online.length === lab.nodeNames.length);
    const status = done.status ?? (await clusterStatus(lab));
    const result: ChangeResult = {
        what, steps, cloudInitS, commandsS, servingS: (Date.now() - ts) / 1000,
        online: [...(status?.online ?? [])], quorate: status?.quorate ?? false,
        groupBefore, groupAfter: status?.groupNode ?? null,
        groupOperations: (await groupOperations(lab, from.logsOf)) - opsBefore,
        probeFailures: prober.failuresBetween(t0, Date.now()), problems: [],
    };
    const p = result.problems;
    for (const s of steps) if (s.code !== 0) p.push(`${s.name} on ${s.node}: ${s.skipped ?? `exit ${s.code}: ${(s.stdout + s.stderr).trim().split("\n").slice(-5).join(" | ")}`}`);
    if (!done.ok) p.push("the cluster did not serve with every declared node");
    const names = (status?.nodes ?? []).map((n) => n.name).sort();
    if (names.join(" ") !== [...lab.nodeNames].sort().join(" ")) p.push(`the cluster's nodes are ${names.join(", ")}, not ${lab.nodeNames.join(", ")}`);
    if (!result.quorate) p.push("no quorum");
    if (!expectMove && result.groupAfter !== groupBefore) p.push(`the group moved from ${groupBefore} to ${result.groupAfter}`);
    if (!expectMove && result.groupOperations > 0) p.push(`${result.groupOperations} group member starts/stops`);
    if (result.probeFailures > 0) p.push(`${result.probeFailures} failed queries: the service was interrupted`);
    return result;
}

/**
 * Replaces a server that does not hold the group, as the README says: `pcs cluster stop` it
 * (from another node), then `pulumi up --replace` its server: Nova deletes it, creates the new
 * one (same port and address, new id, blank disk), and the commands whose inputs name its id
 * run again (its file drop, setup, configure: the fence map).
 */
export async function replaceServer(lab: NodesLab, plan: LabPlan, prober: Prober): Promise<ChangeResult & { oldId: string; newId: string }> {
    const ready = await waitStatus(lab, 300000, serving(lab));
    const groupBefore = ready.status?.groupNode ?? null;
    const name = [...lab.nodeNames].reverse().find((n) => n !== groupBefore)!;
    const other = lab.nodeNames.find((n) => n !== name)!;
    const logsOf = lab.nodeNames.filter((n) => n !== name);
    const from: Before = { steps: lab.steps(plan), stdinOf: (s) => plan.stdinOf(s, lab.secrets!), t0: Date.now(), groupBefore, opsBefore: await groupOperations(lab, logsOf), logsOf };
    const stop = await lab.remote(other, `sudo pcs cluster stop ${name}`);
    const oldId = lab.realIds[plan.mockIds[name]] ?? plan.mockIds[name];
    const newId = await lab.replaceServer(name, plan);
    const r = await apply(lab, from, plan, `replace ${name}`, prober, [name]);
    if (stop.code !== 0) r.problems.push(`pcs cluster stop ${name}: exit ${stop.code}: ${stop.stderr.trim()}`);
    const names = r.steps.map((s) => s.name);
    for (const want of [`-${name}-secrets-install`, "-pacemaker-setup", "-pacemaker-configure"]) {
        if (!names.some((n) => n.endsWith(want))) r.problems.push(`pulumi up would not run *${want} again (its inputs did not change)`);
    }
    return { ...r, oldId, newId };
}

/** Changes dbaas:nodes from `from`'s to `to`'s: new servers are created and booted first; a removed one is deleted after the commands (as Pulumi deletes last). */
export async function resize(lab: NodesLab, from: LabPlan, to: LabPlan, prober: Prober): Promise<ChangeResult> {
    const ready = await waitStatus(lab, 300000, serving(lab));
    const groupBefore = ready.status?.groupNode ?? null;
    const added = to.nodes.filter((n) => !lab.nodeNames.includes(n));
    const removed = lab.nodeNames.filter((n) => !to.nodes.includes(n));
    const before = { steps: lab.steps(from), stdinOf: (s: RemoteStep) => from.stdinOf(s, lab.secrets!), t0: Date.now(), groupBefore };
    // A removed node leaves (setup.sh stops it): from now on the lab follows the declared nodes only.
    lab.nodeNames = lab.nodeNames.filter((n) => !removed.includes(n));
    const opsBefore = await groupOperations(lab);
    for (const n of added) await lab.addServer(n, to);
    const expectMove = groupBefore !== null && removed.includes(groupBefore);
    const r = await apply(lab, { ...before, opsBefore }, to, `dbaas:nodes ${from.nodes.length} → ${to.nodes.length}`, prober, added, expectMove);
    for (const n of removed) await lab.removeServer(n);
    return r;
}
