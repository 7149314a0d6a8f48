/**
 * The failover drill: on a {@link Lab} cluster, kill nodes abruptly (kill -9 of the node's
 * PID-namespace init) while a prober queries the service every 100 ms from the switch
 * namespace and a monitor reads every node's mount table every 100 ms; then read back when
 * the survivors lost the node, when it was fenced, when each group member started and when
 * the service answered again, and check correctness:
 * - the file system is never mounted on two nodes at once;
 * - the dead node was powered off (fenced) before the file system was mounted elsewhere;
 * - the service answers again after the loss of the node holding the group;
 * - the loss of a passive node moves (and restarts) nothing.
 * Every wait is bounded in time; every process started here is stopped by PID.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GROUP_ROLES, RESOURCE_IDS, COROSYNC_TIMINGS } from "../render/pacemaker";
import { alive, Lab, LAB_NET, now, run, sleep } from "./lab";
import { lostRe, outage, pacemakerEvents, parseFenceLog, parseProbes, resultRe, Stats, stats } from "./events";

const PROBE = path.join(__dirname, "probe.sh");

export type KillKind = "active" | "passive";

export interface DrillOptions {
    /** Cluster sizes to run, in order (2 and/or 3). */
    sizes: number[];
    /** "full": every node once as the group's holder, plus one passive kill; "quick": one active (and, at 2 nodes, one passive) kill. */
    mode: "full" | "quick";
    /** Totem timings override (default: the generator's COROSYNC_TIMINGS). */
    tokenMs?: number;
    consensusMs?: number;
    /** Busy loops on every core during the whole drill (tuning under load). */
    load?: boolean;
    fstype?: "xfs" | "ext4";
    /** Before the kills, watch the healthy cluster this long (s) and count spurious node losses and fencing. */
    soakSeconds?: number;
    /** Pauses to try on a passive node (SIGSTOP of all its processes, like a frozen VM), in ms. */
    freezeMs?: number[];
    /** Keep each lab's work folder (logs) instead of deleting it. */
    keepLogs?: boolean;
    log?: (msg: string) => void;
}

/** Times are epoch ms; the `after*` fields are ms after the kill. */
export interface KillResult {
    size: number;
    kind: KillKind;
    target: string;
    groupBefore: string;
    groupAfter: string | null;
    killMs: number;
    /** First "Node TARGET state is now lost" on a survivor. */
    lostMs: number | null;
    fenceRequestedMs: number | null;
    /** The power controller saw every process of the target gone (its mounts with them). */
    fenceDoneMs: number | null;
    fencedBy: string | null;
    /** Group member id → first successful start after the kill (any node). */
    started: Record<string, number>;
    /** First 100 ms sample showing the file system mounted on a node other than the target. */
    mountedElsewhereMs: number | null;
    /** Answer time of the first successful query after the outage began. */
    answeringMs: number | null;
    probeFailures: number;
    /** Largest number of nodes seen with the file system mounted in one sample. */
    maxMountedAtOnce: number;
    samples: number;
    after: Record<string, number | null>;
    checks: Record<string, boolean>;
    problems: string[];
}

export interface SizeSummary {
    size: number;
    token: number;
    consensus: number;
    lostToAnswering: Stats | null;
    killToAnswering: Stats | null;
    killToLost: Stats | null;
}

/** A healthy cluster watched for a while: any loss or fence here is a false failover. */
export interface SoakResult {
    size: number;
    seconds: number;
    /** "Node X state is now lost" lines (distinct per node and second). */
    losses: number;
    fenceRequests: number;
    groupMoves: number;
}

/** A passive node frozen (every process SIGSTOPped) then thawed: was it declared lost / fenced? */
export interface FreezeResult {
    size: number;
    target: string;
    pauseMs: number;
    lost: boolean;
    fenced: boolean;
}

export interface DrillResult {
    startedAt: string;
    options: { sizes: number[]; mode: string; tokenMs: number; consensusMs: number; load: boolean; soakSeconds: number };
    soaks: SoakResult[];
    freezes: FreezeResult[];
    kills: KillResult[];
    summary: SizeSummary[];
    /** Anything left behind by a lab (must be empty). */
    leftovers: string[];
    ok: boolean;
}

/** Process groups started here and not yet stopped (for {@link emergencyStop}). */
const running = new Set<ChildProcess>();
/** Every process group started here (prober, load), to check none survives. */
const spawnedPids: number[] = [];

/** Stops every prober/load process and tears down every lab: for SIGINT/SIGTERM handlers. */
export async function emergencyStop(): Promise<void> {
    for (const c of running) await stopGroup(c);
    for (const lab of [...Lab.active]) {
        await lab.down();
        lab.removeWork();
    }
}

/** Starts the prober in the switch namespace (its own process group, stopped by PID). */
function startProber(lab: Lab, out: string, stop: string, maxSeconds: number): ChildProcess {
    const c = spawn("ip", ["netns", "exec", lab.switchNs, "bash", PROBE, LAB_NET.serviceIp, out, stop, String(maxSeconds)], {
        stdio: "ignore",
        detached: true,
    });
    running.add(c);
    if (c.pid) spawnedPids.push(c.pid);
    return c;
}

async function stopGroup(child: ChildProcess | undefined, stopFile?: string): Promise<void> {
    if (!child?.pid) return;
    running.delete(child);
    if (stopFile) fs.writeFileSync(stopFile, "");
    for (let i = 0; i < 40 && alive(child.pid); i++) await sleep(50);
    try {
        process.kill(-child.pid, "SIGKILL");
    } catch {
        /* already gone */
    }
}

/** Busy loops, one per core, each its own process group. */
function startLoad(log: (m: string) => void): ChildProcess[] {
    const cores = os.cpus().length;
    log(`load: ${cores} busy loops`);
    return Array.from({ length: cores }, () => {
        const c = spawn("bash", ["-c", "while :; do :; done"], { stdio: "ignore", detached: true });
        running.add(c);
        if (c.pid) spawnedPids.push(c.pid);
        return c;
    });
}

function readText(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return "";
    }
}

const groupIds = (): string[] => GROUP_ROLES.map((r) => RESOURCE_IDS[r]);

/** Moves the group to `node` (crm_resource --move, then --clear: stickiness keeps it there). */
async function moveGroup(lab: Lab, node: string, log: (m: string) => void): Promise<void> {
    const via = lab.nodes.find((n) => n.power === "on")!.name;
    log(`move the group to ${node}`);
    await lab.exec(via, ["crm_resource", "--move", "--resource", RESOURCE_IDS.group, "--node", node], 30000);
    try {
        await lab.waitFor(`the group on ${node}`, 120000, (s) => s.groupNode === node);
    } finally {
        await lab.exec(via, ["crm_resource", "--clear", "--resource", RESOURCE_IDS.group], 30000);
    }
}

/** One kill with its measurements and checks. */
async function drillKill(lab: Lab, kind: KillKind, preferTarget: string | undefined, log: (m: string) => void): Promise<KillResult> {
    let before = await lab.waitStable(300000);
    if (kind === "active" && preferTarget && before.groupNode !== preferTarget) {
        await moveGroup(lab, preferTarget, log);
        before = await lab.waitStable(300000);
    }
    const groupBefore = before.groupNode!;
    const target = kind === "active" ? groupBefore : preferTarget && preferTarget !== groupBefore ? preferTarget : lab.nodes.find((n) => n.name !== groupBefore)!.name;
    const tag = `${lab.size}n-${kind}-${target}-${now()}`;
    const probeOut = path.join(lab.work, `probe-${tag}.log`);
    const stopFile = path.join(lab.work, `probe-${tag}.stop`);
    const problems: string[] = [];

    // Mount monitor: every node's mount table every 100 ms.
    let samples = 0;
    let maxMounted = 0;
    let mountedElsewhereMs: number | null = null;
    let killMs = Number.MAX_SAFE_INTEGER;
    const doubleMounts: string[] = [];
    const sample = () => {
        const on = lab.mountedOn();
        samples++;
        maxMounted = Math.max(maxMounted, on.length);
        if (on.length > 1) doubleMounts.push(`${new Date().toISOString()} ${on.join("+")}`);
        const t = now();
        // Elsewhere = on a node that did not hold the group when we killed.
        if (mountedElsewhereMs === null && t > killMs && on.some((n) => n !== groupBefore)) mountedElsewhereMs = t;
    };
    const monitor = setInterval(sample, 100);
    const prober = startProber(lab, probeOut, stopFile, 400);
    try {
        // Baseline: the service answers before the kill.
        const baselineDeadline = now() + 20000;
        while (now() < baselineDeadline && !parseProbes(readText(probeOut)).some((p) => p.ok)) await sleep(200);
        if (!parseProbes(readText(probeOut)).some((p) => p.ok)) problems.push("service did not answer before the kill");
        await sleep(1000);

        log(`${lab.size} nodes: kill ${target} (${kind}; group on ${groupBefore})`);
        killMs = await lab.crash(target);

        // Wait (bounded) for the fence and, for an active kill, the service; for a passive one, a quiet period.
        const deadline = killMs + 180000;
        let fencedAt: number | null = null;
        while (now() < deadline) {
            const off = lab.powerEvents.find((e) => e.node === target && e.op === "off" && e.by === "fence" && e.startMs >= killMs);
            if (off) fencedAt = off.doneMs;
            if (fencedAt !== null) {
                if (kind === "passive" && now() > fencedAt + 5000) break;
                if (kind === "active" && outage(parseProbes(readText(probeOut)), killMs).back) {
                    await sleep(1000);
                    break;
                }
            }
            await sleep(200);
        }
        if (fencedAt === null) problems.push(`${target} was not fenced within 180 s`);
    } finally {
        clearInterval(monitor);
        await stopGroup(prober, stopFile);
    }

    // Read back the logs of the survivors and of fence_lab.
    const survivors = lab.nodes.filter((n) => n.name !== target).map((n) => n.name);
    const pmLogs = survivors.map((n) => readText(path.join(lab.logDir(n), "pacemaker", "pacemaker.log")));
    const since = killMs - 1; // pacemaker's log has millisecond resolution
    const first = (re: RegExp) => {
        const ts = pmLogs.flatMap((t) => pacemakerEvents(t, re, since)).map((e) => e.t);
        return ts.length ? Math.min(...ts) : null;
    };
    const lostMs = first(lostRe(target));
    const started: Record<string, number> = {};
    const stopped: string[] = [];
    for (const id of groupIds()) {
        const t = first(resultRe("start", id));
        if (t !== null) started[id] = t;
        if (first(resultRe("stop", id)) !== null) stopped.push(id);
    }
    const fence = parseFenceLog(readText(lab.fenceLog)).filter((r) => r.target === target && r.t >= killMs);
    const fenceRequestedMs = fence.find((r) => r.event === "requested")?.t ?? null;
    const fencedBy = fence.find((r) => r.event === "requested")?.from ?? null;
    const off = lab.powerEvents.find((e) => e.node === target && e.op === "off" && e.by === "fence" && e.startMs >= killMs);
    const fenceDoneMs = off?.doneMs ?? null;
    const probes = parseProbes(readText(probeOut));
    const o = outage(probes, killMs);
    const answeringMs = o.back?.end ?? null;

    // Back to a stable cluster (the fenced node reboots and rejoins) to see where the group is.
    let groupAfter: string | null = null;
    try {
        groupAfter = (await lab.waitStable(300000)).groupNode;
    } catch (e) {
        problems.push(`cluster not stable after the kill: ${(e as Error).message}`);
    }

    const fsStart = started[RESOURCE_IDS.filesystem] ?? null;
    const checks: Record<string, boolean> = {
        fenced: fenceDoneMs !== null,
        neverTwoMounts: maxMounted <= 1 && doubleMounts.length === 0,
    };
    if (kind === "active") {
        checks.serviceAnswersAgain = answeringMs !== null;
        checks.groupMoved = groupAfter !== null && groupAfter !== target;
        // Both views: the 100 ms mount sample and Pacemaker's own record of the Filesystem start.
        checks.fenceBeforeMountElsewhere =
            fenceDoneMs !== null && mountedElsewhereMs !== null && fenceDoneMs < mountedElsewhereMs && fsStart !== null && fenceDoneMs < fsStart;
    } else {
        checks.passiveMovedNothing = groupAfter === groupBefore && Object.keys(started).length === 0 && stopped.length === 0 && mountedElsewhereMs === null;
    }
    for (const [k, v] of Object.entries(checks)) if (!v) problems.push(`check failed: ${k}`);
    if (doubleMounts.length) problems.push(`mounted on two nodes at: ${doubleMounts.slice(0, 5).join(", ")}`);

    const rel = (t: number | null | undefined) => (t === null || t === undefined ? null : t - killMs);
    const after: Record<string, number | null> = {
        lost: rel(lostMs),
        fenceRequested: rel(fenceRequestedMs),
        fenceDone: rel(fenceDoneMs),
        ...Object.fromEntries(groupIds().filter((id) => id in started || kind === "active").map((id) => [`started:${id}`, rel(started[id])])),
        mountedElsewhere: rel(mountedElsewhereMs),
        answering: rel(answeringMs),
        lostToAnswering: lostMs !== null && answeringMs !== null ? answeringMs - lostMs : null,
    };
    return {
        size: lab.size,
        kind,
        target,
        groupBefore,
        groupAfter,
        killMs,
        lostMs,
        fenceRequestedMs,
        fenceDoneMs,
        fencedBy,
        started,
        mountedElsewhereMs,
        answeringMs,
        probeFailures: o.failures,
        maxMountedAtOnce: maxMounted,
        samples,
        after,
        checks,
        problems,
    };
}

/** The kills of one size: which kind, and which node should hold the group (active) or die (passive). */
function plan(size: number, mode: DrillOptions["mode"]): Array<{ kind: KillKind; node?: string }> {
    const nodes = Array.from({ length: size }, (_, i) => `node${i + 1}`);
    if (mode === "quick") return size === 2 ? [{ kind: "active" }, { kind: "passive" }] : [{ kind: "active" }];
    return [...nodes.map((node) => ({ kind: "active" as const, node })), { kind: "passive" as const }];
}

/** Runs the whole drill; never leaves a lab behind (each lab is torn down in `finally`). */
export async function runDrill(opts: DrillOptions): Promise<DrillResult> {
    const log = opts.log ?? (() => undefined);
    const token = opts.tokenMs ?? COROSYNC_TIMINGS.tokenMs;
    const consensus = opts.consensusMs ?? COROSYNC_TIMINGS.consensusMs;
    const result: DrillResult = {
        startedAt: new Date().toISOString(),
        options: { sizes: opts.sizes, mode: opts.mode, tokenMs: token, consensusMs: consensus, load: !!opts.load, soakSeconds: opts.soakSeconds ?? 0 },
        soaks: [],
        freezes: [],
        kills: [],
        summary: [],
        leftovers: [],
        ok: false,
    };
    const load = opts.load ? startLoad(log) : [];
    try {
        for (const size of opts.sizes) {
            const lab = new Lab({ size, tokenMs: opts.tokenMs, consensusMs: opts.consensusMs, fstype: opts.fstype, log });
            log(`lab of ${size} nodes in ${lab.work} (token ${token} ms, consensus ${consensus} ms)`);
            try {
                await lab.up();
                if (opts.soakSeconds) result.soaks.push(await soak(lab, opts.soakSeconds, log));
                for (const ms of opts.freezeMs ?? []) result.freezes.push(await freeze(lab, ms, token + consensus, log));
                for (const step of plan(size, opts.mode)) {
                    const k = await drillKill(lab, step.kind, step.node, log);
                    result.kills.push(k);
                    log(`  ${k.problems.length ? "PROBLEMS: " + k.problems.join("; ") : "checks ok"}`);
                }
            } catch (e) {
                result.kills.push(failedKill(size, (e as Error).message));
                log(`lab of ${size} nodes failed: ${(e as Error).message}`);
            } finally {
                await lab.down();
                const left = await lab.leftovers();
                result.leftovers.push(...left.map((l) => `${size} nodes: ${l}`));
                if (opts.keepLogs) log(`logs kept in ${lab.work}`);
                else lab.removeWork();
            }
            const active = result.kills.filter((k) => k.size === size && k.kind === "active");
            const vals = (f: (k: KillResult) => number | null) => active.map(f).filter((v): v is number => v !== null);
            result.summary.push({
                size,
                token,
                consensus,
                lostToAnswering: stats(vals((k) => k.after.lostToAnswering)),
                killToAnswering: stats(vals((k) => k.after.answering)),
                killToLost: stats(vals((k) => k.after.lost)),
            });
        }
    } finally {
        for (const c of load) await stopGroup(c);
        await sleep(200);
        for (const pid of spawnedPids.splice(0)) if (alive(pid)) result.leftovers.push(`prober/load process ${pid}`);
    }
    result.ok =
        result.leftovers.length === 0 &&
        result.kills.length > 0 &&
        result.kills.every((k) => k.problems.length === 0) &&
        result.soaks.every((s) => s.losses === 0 && s.fenceRequests === 0 && s.groupMoves === 0);
    return result;
}

/** Watches a healthy cluster (no kill) and counts what should never happen. */
async function soak(lab: Lab, seconds: number, log: (m: string) => void): Promise<SoakResult> {
    const before = await lab.waitStable(300000);
    const t0 = now();
    log(`${lab.size} nodes: soak ${seconds} s (no kill)`);
    let groupMoves = 0;
    let where = before.groupNode;
    while (now() < t0 + seconds * 1000) {
        await sleep(5000);
        const s = await lab.status();
        if (s?.groupNode && s.groupNode !== where) {
            groupMoves++;
            where = s.groupNode;
        }
    }
    const lost = new Set<string>();
    for (const n of lab.nodes) {
        const text = readText(path.join(lab.logDir(n.name), "pacemaker", "pacemaker.log"));
        for (const e of pacemakerEvents(text, /state is now lost/, t0)) lost.add(`${/Node (\S+)/.exec(e.line)?.[1]}@${Math.floor(e.t / 1000)}`);
    }
    const fenceRequests = parseFenceLog(readText(lab.fenceLog)).filter((r) => r.t >= t0 && r.event === "requested").length;
    const r = { size: lab.size, seconds, losses: lost.size, fenceRequests, groupMoves };
    log(`  soak: ${JSON.stringify(r)}`);
    return r;
}

/** Freezes a passive node for `pauseMs` (SIGSTOP/SIGCONT of every process in its namespaces), then checks for a loss/fence. */
async function freeze(lab: Lab, pauseMs: number, detectMs: number, log: (m: string) => void): Promise<FreezeResult> {
    const before = await lab.waitStable(300000);
    const target = [...lab.nodes].reverse().find((n) => n.name !== before.groupNode)!.name;
    const pids = (await run("ip", ["netns", "pids", lab.nsOf(target)])).stdout.split(/\s+/).filter(Boolean).map(Number);
    const signal = (sig: NodeJS.Signals) => {
        for (const pid of pids) {
            try {
                process.kill(pid, sig);
            } catch {
                /* gone */
            }
        }
    };
    log(`${lab.size} nodes: freeze ${target} for ${pauseMs} ms (${pids.length} processes)`);
    const t0 = now();
    signal("SIGSTOP");
    try {
        await sleep(pauseMs);
    } finally {
        signal("SIGCONT");
    }
    // Long enough for a loss to be detected and fenced.
    await sleep(detectMs + 8000);
    const lost = lab.nodes
        .filter((n) => n.name !== target)
        .some((n) => pacemakerEvents(readText(path.join(lab.logDir(n.name), "pacemaker", "pacemaker.log")), lostRe(target), t0).length > 0);
    const fenced = parseFenceLog(readText(lab.fenceLog)).some((r) => r.t >= t0 && r.target === target && r.event === "requested");
    const r = { size: lab.size, target, pauseMs, lost, fenced };
    log(`  freeze: ${JSON.stringify(r)}`);
    return r;
}

function failedKill(size: number, why: string): KillResult {
    return {
        size,
        kind: "active",
        target: "-",
        groupBefore: "-",
        groupAfter: null,
        killMs: 0,
        lostMs: null,
        fenceRequestedMs: null,
        fenceDoneMs: null,
        fencedBy: null,
        started: {},
        mountedElsewhereMs: null,
        answeringMs: null,
        probeFailures: 0,
        maxMountedAtOnce: 0,
        samples: 0,
        after: {},
        checks: { labRan: false },
        problems: [`lab failed: ${why}`],
    };
}
