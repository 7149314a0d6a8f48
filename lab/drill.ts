/**
 * The failover drill on the lab's nodes: a node killed (its machine's PID 1 SIGKILLed: every
 * process and mount gone, its port silent) while a client queries the database through the
 * service address every 100 ms and the volume's mounts are sampled in every machine every
 * 100 ms. Checks, for an active kill (the group's node): fenced, fenced before the volume is
 * mounted elsewhere, never mounted on two nodes, the service answers again from another node;
 * for a passive kill: fenced, the group neither stopped nor moved, the service never failed.
 * Either way the killed node (powered on again by the fence's reboot) rejoins.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ChildProcess } from "node:child_process";
import { RESOURCE_IDS } from "../render/pacemaker/settings";
import { clusterStatus, serving, waitStatus } from "./checks";
import { volumeDevicePaths } from "./controller";
import { lostRe, outage, pacemakerEvents, parseProbes, resultRe } from "./events";
import { NodesLab, PLATFORM } from "./nodesLab";
import { killGroup, sleep } from "./proc";

/** What one kill looked like; times in seconds after the kill. */
export interface KillResult {
    /** Cluster size. */
    size: number;
    /** The group's node, or another. */
    kind: "active" | "passive";
    /** The node killed. */
    victim: string;
    /** Where the group ran before and after. */
    groupBefore: string | null;
    groupAfter: string | null;
    /** Node declared lost (first survivor's log line), fence done (the cloud stand-in's power off), volume mounted on a node other than the group's, service answering again. */
    lostS: number | null;
    fencedS: number | null;
    mountedElsewhereS: number | null;
    answeringS: number | null;
    /** The killed node back in the cluster. */
    rejoinedS: number | null;
    /** Mount samples taken, and the most nodes that had the volume mounted at once. */
    samples: number;
    maxMounted: number;
    /** Failed queries after the kill. */
    probeFailures: number;
    /** Group members started or stopped on the survivors after the kill. */
    groupOperations: number;
    /** Every check that failed (empty: all passed). */
    problems: string[];
}

/** The client: queries the marker row through the service address every 100 ms (lab/probe.sh), from the platform network. */
export class Prober {
    private proc?: ChildProcess;
    private readonly file: string;

    constructor(private readonly lab: NodesLab) {
        this.file = path.join(lab.work, "probe.log");
    }

    /** Starts querying. */
    start(): void {
        this.proc = this.lab.spawnClient([path.join(__dirname, "probe.sh"), PLATFORM.serviceIp, "5432"], this.file);
    }

    /** Every query so far. */
    probes(): ReturnType<typeof parseProbes> {
        return parseProbes(fs.existsSync(this.file) ? fs.readFileSync(this.file, "utf8") : "");
    }

    /** Failed queries between two times (epoch ms). */
    failuresBetween(fromMs: number, toMs: number): number {
        return this.probes().filter((p) => p.start >= fromMs && p.start <= toMs && !p.ok).length;
    }

    /** Stops querying. */
    stop(): void {
        killGroup(this.proc?.pid);
    }
}

/** The nodes whose machine has the volume's device mounted (their PID 1's mount table). */
export function mountedOn(lab: NodesLab): string[] {
    const dev = volumeDevicePaths(lab.controller!.volume.id).node;
    return lab.nodeNames.filter((n) => {
        const pid = lab.machines.get(n)?.initPid;
        try {
            return pid !== undefined && fs.readFileSync(`/proc/${pid}/mounts`, "utf8").split("\n").some((l) => l.startsWith(`${dev} `));
        } catch {
            return false;
        }
    });
}

/** Kills a node (the group's, or another) and follows what the cluster does. */
export async function killNode(lab: NodesLab, prober: Prober, kind: "active" | "passive"): Promise<KillResult> {
    const ready = await waitStatus(lab, 300000, serving(lab));
    const groupBefore = ready.status?.groupNode ?? null;
    const victim = kind === "active" ? groupBefore ?? lab.nodeNames[0] : lab.nodeNames.find((n) => n !== groupBefore)!;
    const survivors = lab.nodeNames.filter((n) => n !== victim);
    const problems: string[] = ready.ok ? [] : ["the cluster was not serving before the kill"];
    const events = lab.controller!.events.length;
    const t0 = Date.now();
    await lab.machines.get(victim)!.powerOff();
    let samples = 0;
    let maxMounted = 0;
    let mountedElsewhereMs: number | null = null;
    let groupAfter: string | null = null;
    let fencedMs: number | null = null;
    const deadline = t0 + 240000;
    while (Date.now() < deadline) {
        const on = mountedOn(lab);
        samples++;
        maxMounted = Math.max(maxMounted, on.length);
        if (mountedElsewhereMs === null && on.some((n) => n !== groupBefore)) mountedElsewhereMs = Date.now();
        const off = lab.controller!.events.slice(events).find((e) => e.request.startsWith("off ") && e.answer === "ok");
        fencedMs = off ? off.doneMs : null;
        if (kind === "active" && mountedElsewhereMs !== null && samples % 10 === 0) {
            const s = await clusterStatus(lab);
            if (s?.groupNode && s.groupNode !== victim && outage(prober.probes(), t0).back) {
                groupAfter = s.groupNode;
                break;
            }
        }
        if (kind === "passive" && fencedMs !== null && Date.now() - fencedMs > 5000) break;
        await sleep(100);
    }
    const back = await waitStatus(lab, 300000, serving(lab));
    const rejoinedS = back.ok ? (Date.now() - t0) / 1000 : null;
    groupAfter = back.status?.groupNode ?? groupAfter;
    const logs = await Promise.all(survivors.map(async (n) => (await lab.machines.get(n)!.exec(["cat", "/var/log/pacemaker/pacemaker.log"], 30000)).stdout));
    const lost = logs.flatMap((l) => pacemakerEvents(l, lostRe(victim), t0 - 1000)).map((e) => e.t).sort((a, b) => a - b)[0];
    const members = Object.values(RESOURCE_IDS).filter((id) => id !== RESOURCE_IDS.fence && !id.startsWith(RESOURCE_IDS.info));
    const groupOps = logs.flatMap((l) => members.flatMap((m) => [...pacemakerEvents(l, resultRe("start", m), t0), ...pacemakerEvents(l, resultRe("stop", m), t0)])).length;
    const o = outage(prober.probes(), t0);
    const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : (ms - t0) / 1000);
    const result: KillResult = {
        size: lab.nodeNames.length, kind, victim, groupBefore, groupAfter,
        lostS: s(lost), fencedS: s(fencedMs), mountedElsewhereS: s(mountedElsewhereMs), answeringS: kind === "active" ? s(o.back?.end) : null,
        rejoinedS, samples, maxMounted, probeFailures: prober.failuresBetween(t0, Date.now()), groupOperations: groupOps, problems,
    };
    if (fencedMs === null) problems.push(`${victim} was never fenced`);
    if (maxMounted > 1) problems.push(`the volume was mounted on ${maxMounted} nodes at once`);
    if (kind === "active") {
        if (mountedElsewhereMs === null) problems.push("the volume was never mounted on a survivor");
        else if (fencedMs === null || fencedMs > mountedElsewhereMs) problems.push("the volume was mounted elsewhere before the fence was done");
        if (!o.back) problems.push("the service never answered again");
        if (groupAfter === null || groupAfter === victim) problems.push(`the group did not move (on ${groupAfter})`);
    } else {
        if (groupAfter !== groupBefore) problems.push(`the group moved from ${groupBefore} to ${groupAfter}`);
        if (groupOps > 0) problems.push(`${groupOps} group member starts/stops after a passive node's loss`);
        if (result.probeFailures > 0) problems.push(`${result.probeFailures} failed queries after a passive node's loss`);
    }
    if (!back.ok) problems.push(`${victim} did not rejoin (or the group did not serve) within 300 s`);
    return result;
}
