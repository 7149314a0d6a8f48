/**
 * What the lab checks once the plan's commands have built a cluster (issue 10, "done when"):
 * the group serving, a re-run of every command changing nothing, operators' changes (`pcs
 * resource move`, `ban`, `unmanage`) surviving a re-apply of the configuration. Each returns what
 * it saw; the caller asserts.
 */
import { ClusterStatus, parseCrmMon } from "../render/pacemaker/crmMon";
import { RESOURCE_IDS } from "../render/pacemaker/settings";
import { LabPlan } from "./labPlan";
import { NodesLab, StepResult } from "./nodesLab";
import { sleep } from "./proc";

/** crm_mon (with the fencing history) of the first running node, parsed. */
export async function clusterStatus(lab: NodesLab): Promise<ClusterStatus | null> {
    for (const n of lab.nodeNames) {
        const m = lab.machines.get(n);
        if (!m?.initPid) continue;
        const r = await m.exec(["crm_mon", "-1", "--output-as=xml", "--fence-history=3"], 15000);
        if (r.code === 0 && r.stdout.includes("<nodes>")) return parseCrmMon(r.stdout);
    }
    return null;
}

/** Waits until `ok(status)`; returns the last status and whether it held. */
export async function waitStatus(lab: NodesLab, timeoutMs: number, ok: (s: ClusterStatus) => boolean): Promise<{ ok: boolean; status: ClusterStatus | null; seconds: number }> {
    const t0 = Date.now();
    let status: ClusterStatus | null = null;
    while (Date.now() - t0 < timeoutMs) {
        status = await clusterStatus(lab);
        if (status && ok(status)) return { ok: true, status, seconds: (Date.now() - t0) / 1000 };
        await sleep(1000);
    }
    return { ok: false, status, seconds: (Date.now() - t0) / 1000 };
}

/** Every node online and the whole group started on one of them. */
export const serving = (lab: NodesLab) => (s: ClusterStatus): boolean =>
    s.groupNode !== null && lab.nodeNames.every((n) => s.online.includes(n));

/** Count of group members' "Result of start|stop operation" lines in the nodes' Pacemaker logs (did anything restart?). */
export async function groupOperations(lab: NodesLab, nodes: readonly string[] = lab.nodeNames): Promise<number> {
    const members = Object.values(RESOURCE_IDS).filter((id) => id !== RESOURCE_IDS.fence && !id.startsWith(RESOURCE_IDS.info)).join("|");
    let total = 0;
    for (const n of nodes) {
        const r = await lab.machines.get(n)!.exec(["sh", "-c", `grep -cE 'Result of (start|stop) operation for (${members}) ' /var/log/pacemaker/pacemaker.log || true`]);
        total += Number(r.stdout.trim()) || 0;
    }
    return total;
}

/** Re-runs every command of the plan (as `pulumi up --refresh` after a replace of each would); reports their outputs and whether any group member stopped or started. */
export async function rerun(lab: NodesLab, plan: LabPlan): Promise<{ steps: StepResult[]; groupOperations: number }> {
    const before = await groupOperations(lab);
    const steps = await lab.runSteps(plan, lab.steps(plan));
    await sleep(10000);
    return { steps, groupOperations: (await groupOperations(lab)) - before };
}

/** What the operators' changes and the re-apply did. */
export interface OperatorResult {
    /** Where the group was, and where the operator moved it. */
    from: string | null;
    to: string;
    /** The operator's commands and their outcome. */
    operator: string;
    movedOk: boolean;
    /** `pcs constraint --full` and the info clone's is-managed, before and after the re-apply. */
    constraintsBefore: string;
    constraintsAfter: string;
    unmanagedBefore: string;
    unmanagedAfter: string;
    /** The re-apply (the plan's configure command, run again). */
    reapply: StepResult;
    /** Where the group was afterwards, and whether any member stopped or started because of the re-apply. */
    groupAfter: string | null;
    groupOperations: number;
}

/**
 * An operator's changes, then the configure command again: `pcs resource move` of the group to
 * another node (pcs 0.11 removes the move's constraint once moved; stickiness keeps it there),
 * `pcs resource ban` of it from the node it left (a lasting `cli-ban-…` constraint), and `pcs
 * resource unmanage` of the info clone (is-managed=false). Does re-applying keep all three and
 * leave the group where the operator put it? The operator's settings are cleared afterwards.
 */
export async function operatorThenReapply(lab: NodesLab, plan: LabPlan): Promise<OperatorResult> {
    const first = lab.nodeNames[0];
    const s = await clusterStatus(lab);
    const from = s?.groupNode ?? null;
    const to = lab.nodeNames.find((n) => n !== from)!;
    const g = RESOURCE_IDS.group;
    const clone = RESOURCE_IDS.infoClone;
    const op = await lab.remote(first, `sudo pcs resource move ${g} ${to} && sudo pcs resource ban ${g} ${from} && sudo pcs resource unmanage ${clone}`);
    const moved = await waitStatus(lab, 180000, (x) => x.groupNode === to);
    // The primitive's value, its own or the clone's (crm_resource reports what applies to it).
    const managed = async () => (await lab.remote(first, `sudo crm_resource --resource ${RESOURCE_IDS.info} --meta --get-parameter is-managed`)).stdout.trim();
    const constraintsBefore = (await lab.remote(first, "sudo pcs constraint --full")).stdout;
    const unmanagedBefore = await managed();
    const operations = await groupOperations(lab);
    const configure = lab.steps(plan).find((x) => x.name.endsWith("-configure"))!;
    const [reapply] = await lab.runSteps(plan, [{ ...configure, after: [] }]);
    await sleep(15000);
    const constraintsAfter = (await lab.remote(first, "sudo pcs constraint --full")).stdout;
    const unmanagedAfter = await managed();
    const after = await waitStatus(lab, 60000, (x) => x.groupNode !== null);
    const groupOps = (await groupOperations(lab)) - operations;
    // The operator's clean-up, so that what follows may fail over to any node.
    await lab.remote(first, `sudo pcs resource clear ${g} && sudo pcs resource manage ${clone}`);
    return {
        from, to, operator: `exit ${op.code}: ${(op.stdout + op.stderr).trim()}`, movedOk: moved.ok,
        constraintsBefore, constraintsAfter, unmanagedBefore, unmanagedAfter, reapply,
        groupAfter: after.status?.groupNode ?? null, groupOperations: groupOps,
    };
}
