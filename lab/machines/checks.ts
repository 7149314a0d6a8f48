/**
 * What the machine lab checks once the plan's commands have built a cluster (issue 10, "done
 * when"): the group serving, a re-run of every command changing nothing, an operator's
 * `pcs resource move` surviving a re-apply of the configuration, and the loss of the active
 * node (fenced before the volume is mounted elsewhere, never mounted twice, the group moves,
 * the fenced node boots again with its disk and rejoins). Each returns what it saw.
 */
import * as fs from "node:fs";
import { CrmStatus, parseCrmMon } from "../lab";
import { NodesLab, StepResult } from "./nodesLab";
import { sleep } from "./proc";
import { volumeDevicePaths } from "./controller";

/** crm_mon of the first running node, parsed. */
export async function clusterStatus(lab: NodesLab): Promise<CrmStatus | null> {
    for (const n of lab.nodeNames) {
        const m = lab.machines.get(n)!;
        if (!m.initPid) continue;
        const r = await m.exec(["crm_mon", "-1", "--output-as=xml"], 15000);
        if (r.code === 0 && r.stdout.includes("<nodes>")) return parseCrmMon(r.stdout);
    }
    return null;
}

/** Waits until `ok(status)`; returns the last status and whether it held. */
export async function waitStatus(lab: NodesLab, timeoutMs: number, ok: (s: CrmStatus) => boolean): Promise<{ ok: boolean; status: CrmStatus | null; seconds: number }> {
    const t0 = Date.now();
    let status: CrmStatus | null = null;
    while (Date.now() - t0 < timeoutMs) {
        status = await clusterStatus(lab);
        if (status && ok(status)) return { ok: true, status, seconds: (Date.now() - t0) / 1000 };
        await sleep(1000);
    }
    return { ok: false, status, seconds: (Date.now() - t0) / 1000 };
}

/** Count of "Result of start operation" lines in a node's Pacemaker log (did anything restart?). */
async function starts(lab: NodesLab): Promise<number> {
    let total = 0;
    for (const n of lab.nodeNames) {
        const r = await lab.machines.get(n)!.exec(["sh", "-c", "grep -c 'Result of start operation' /var/log/pacemaker/pacemaker.log || true"]);
        total += Number(r.stdout.trim()) || 0;
    }
    return total;
}

/** Re-runs every command (as `pulumi up` would if they were replaced); reports their outputs and whether any resource started again. */
export async function rerun(lab: NodesLab): Promise<{ steps: StepResult[]; restartsCaused: number }> {
    const before = await starts(lab);
    const steps = await lab.runSteps();
    await sleep(10000);
    return { steps, restartsCaused: (await starts(lab)) - before };
}

/**
 * An operator's changes, then the configure command again: `pcs resource move` of the group to
 * the other node (pcs 0.11 removes the move's constraint once moved; stickiness keeps it there),
 * then `pcs resource ban` of it from the node it left (a lasting `cli-ban-…` constraint). Does
 * re-applying keep the ban and leave the group where the operator put it?
 */
export async function moveThenReapply(lab: NodesLab): Promise<{ from: string | null; to: string; operator: string; movedOk: boolean; constraintsBefore: string; constraintsAfter: string; groupAfter: string | null; reapply: StepResult | undefined; cleared: string }> {
    const s = await clusterStatus(lab);
    const from = s?.groupNode ?? null;
    const to = lab.nodeNames.find((n) => n !== from)!;
    const first = lab.nodeNames[0];
    const op = await lab.remote(first, `sudo pcs resource move database ${to} && sudo pcs resource ban database ${from}`);
    const operator = `exit ${op.code}: ${(op.stdout + op.stderr).trim()}`;
    const moved = await waitStatus(lab, 180000, (x) => x.groupNode === to);
    const constraintsBefore = (await lab.remote(first, "sudo pcs constraint --full")).stdout;
    const configure = lab.steps.find((x) => x.name.endsWith("-configure"))!;
    const t = Date.now();
    const r = await lab.remote(configure.node, configure.create, lab.stdinOf(configure));
    const reapply: StepResult = { name: configure.name, node: configure.node, code: r.code, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t) / 1000 };
    await sleep(15000);
    const constraintsAfter = (await lab.remote(first, "sudo pcs constraint --full")).stdout;
    const after = await waitStatus(lab, 60000, (x) => x.groupNode !== null);
    // The operator's clean-up, so that the next check may fail over to either node.
    const clear = await lab.remote(first, "sudo pcs resource clear database");
    return { from, to, operator, movedOk: moved.ok, constraintsBefore, constraintsAfter, groupAfter: after.status?.groupNode ?? null, reapply, cleared: `exit ${clear.code}` };
}

/** What the loss of the active node looked like (seconds after the kill). */
export interface CrashResult {
    /** The node killed. */
    victim: string;
    /** Where the group ran afterwards. */
    groupAfter: string | null;
    /** Seconds: node lost (first survivor log line), fence done (controller "off"), volume mounted on the survivor, whole group started. */
    lostS: number | null;
    fencedS: number | null;
    mountedElsewhereS: number | null;
    groupS: number | null;
    /** Most nodes that had the volume mounted at the same time (sampled every 100 ms). */
    maxMounted: number;
    /** Whether the fenced node booted again and rejoined (online) within the wait. */
    rejoined: boolean;
}

function mountedOn(lab: NodesLab): string[] {
    const dev = volumeDevicePaths(lab.controller!.volume.id).node;
    return lab.nodeNames.filter((n) => {
        const pid = lab.machines.get(n)!.initPid;
        try {
            return pid !== undefined && fs.readFileSync(`/proc/${pid}/mounts`, "utf8").split("\n").some((l) => l.startsWith(`${dev} `));
        } catch {
            return false;
        }
    });
}

/** Kills the node holding the group (SIGKILL of its PID 1, ports silenced) and follows the failover. */
export async function crashActive(lab: NodesLab): Promise<CrashResult> {
    const s = await clusterStatus(lab);
    const victim = s?.groupNode ?? lab.nodeNames[0];
    const survivor = lab.nodeNames.find((n) => n !== victim)!;
    const t0 = Date.now();
    const eventsBefore = lab.controller!.events.length;
    await lab.machines.get(victim)!.powerOff();
    let maxMounted = 0;
    let mountedElsewhereS: number | null = null;
    let groupS: number | null = null;
    let status: CrmStatus | null = null;
    while (Date.now() - t0 < 240000) {
        const on = mountedOn(lab);
        maxMounted = Math.max(maxMounted, on.length);
        if (mountedElsewhereS === null && on.includes(survivor)) mountedElsewhereS = (Date.now() - t0) / 1000;
        if (mountedElsewhereS !== null && groupS === null) {
            status = await clusterStatus(lab);
            if (status?.groupNode === survivor) groupS = (Date.now() - t0) / 1000;
        }
        if (groupS !== null) break;
        await sleep(100);
    }
    const off = lab.controller!.events.slice(eventsBefore).find((e) => e.request.startsWith("off ") && e.answer === "ok");
    const log = (await lab.machines.get(survivor)!.exec(["sh", "-c", `grep -m1 'Node ${victim} state is now lost' /var/log/pacemaker/pacemaker.log`])).stdout;
    const lostAt = /^(\w{3} \d+ [\d:.]+)/.exec(log)?.[1];
    const lostMs = lostAt ? Date.parse(`${lostAt} ${new Date(t0).getUTCFullYear()} UTC`) : NaN;
    const back = await waitStatus(lab, 240000, (x) => x.online.includes(victim) && x.online.includes(survivor));
    return {
        victim,
        groupAfter: status?.groupNode ?? null,
        lostS: Number.isNaN(lostMs) ? null : (lostMs - t0) / 1000,
        fencedS: off ? (off.doneMs - t0) / 1000 : null,
        mountedElsewhereS,
        groupS,
        maxMounted,
        rejoined: back.ok,
    };
}
