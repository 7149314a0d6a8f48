/**
 * The lab's scenario, shared by the CLI (lab/cli.ts, `npm run drill`) and the mocha test
 * (test/nodes.test.ts): render the plans, boot the bastion and the nodes from them, run the
 * plan's remote commands through the bastion, then, with a client querying the database all
 * along: re-run every command, an operator's changes and a re-apply, the drill at 2 nodes
 * (a passive and an active node killed), a node replaced, 2 → 3 nodes, the drill at 3 nodes,
 * `dbaas status` through the bastion, 3 → 2 nodes; tear down. It records what happens and never
 * hides a failure: every result is in the report.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { rerun, operatorThenReapply, OperatorResult, serving, waitStatus } from "./checks";
import { KillResult, Prober, killNode } from "./drill";
import { LabPlan, renderPlan } from "./labPlan";
import { ChangeResult, replaceServer, resize } from "./lifecycle";
import { NodesLab, StepResult } from "./nodesLab";
import { killGroup, run, sleep } from "./proc";
import { StatusRun, statusThroughBastion } from "./status";

/** Where the rendered plans are. */
export interface Plans {
    /** The database stack as configured (2 nodes), and grown to 3. */
    readonly database: LabPlan;
    readonly grown: LabPlan;
    /** The bastion's user data file (from the control plane's plan). */
    readonly bastionUserData: string;
}

/** Renders the database config (as it is, and with dbaas:nodes 3) and the control plane's, into `out`. */
export async function renderPlans(databaseConfig: string, controlPlaneConfig: string, out: string): Promise<Plans> {
    const database = new LabPlan(await renderPlan(databaseConfig, path.join(out, "database")));
    const grown = new LabPlan(await renderPlan(databaseConfig, path.join(out, "grown"), 3));
    const cp = await renderPlan(controlPlaneConfig, path.join(out, "control-plane"));
    const bastion = fs.readdirSync(path.join(cp, "artifacts", "cloud-init")).find((f) => f.endsWith("-bastion.yaml"));
    if (!bastion) throw new Error("no bastion user data in the control plane's plan");
    if (database.nodes.length !== 2) throw new Error(`the lab starts from 2 nodes (${databaseConfig} has ${database.nodes.length})`);
    return { database, grown, bastionUserData: path.join(cp, "artifacts", "cloud-init", bastion) };
}

/** Options of a run. */
export interface ScenarioOptions {
    /** Active kills at each size (default 1). */
    readonly activeKills?: number;
    /** Busy loops on every core of the host during the run. */
    readonly load?: boolean;
    /** Stay up that long before teardown (debugging). */
    readonly keepMs?: number;
    /** Stop once the cluster serves (debugging: look inside with --keep-seconds). */
    readonly untilServing?: boolean;
}

/** Boot to serving, in seconds. */
export interface BootFigures {
    /** Power on → cloud-init done, slowest node. */
    cloudInitS: number;
    /** The file drops (each node), setup, configure. */
    fileDropS: number[];
    setupS: number;
    configureS: number;
    /** configure done → whole group started and the client answered. */
    servingS: number;
    /** Power on → the client answered. */
    totalS: number;
}

/** What happened. */
export interface ScenarioData {
    /** Image build seconds (0 = cached) and total `up` seconds. */
    images: { baseBuildS: number; layerBuildS: number; upS: number };
    /** Per machine: cloud-init's final status, exit code, seconds from power on, warnings/errors. */
    cloudInit: Record<string, { code: number; seconds: number; status: string; log: string }>;
    /** SSH path checks. */
    ssh: { bastion: string; nodeThroughBastion: string; nodeDirect: string };
    /** The remote commands, in the order run. */
    steps: StepResult[];
    /** Boot figures, once serving. */
    boot?: BootFigures;
    /** Observations after the commands, per node. */
    after: Record<string, string>;
    /** Every command run again. */
    rerun?: { steps: StepResult[]; groupOperations: number };
    /** An operator's move, ban and unmanage, then the configuration re-applied. */
    operator?: OperatorResult;
    /** The drill's kills. */
    kills: KillResult[];
    /** A node replaced, 2 → 3, 3 → 2. */
    replace?: ChangeResult & { oldId: string; newId: string };
    grow?: ChangeResult;
    shrink?: ChangeResult;
    /** `dbaas status` through the bastion, at 3 nodes. */
    status?: StatusRun;
    /** Failed client queries outside the kills (the service must answer throughout). */
    probeFailuresOutsideKills: number;
    /** The cloud stand-in's requests. */
    controller: string[];
    /** The data volume's signature at the end (blkid -p). */
    volumeSignature: string;
    /** Leftovers after teardown. */
    leftovers: string[];
    /** The error that stopped the scenario, if any. */
    error?: string;
}

const OBSERVE = [
    "echo '## corosync.conf cluster_name:'; grep -E '^[[:space:]]*cluster_name' /etc/corosync/corosync.conf",
    "echo '## services:'; for u in corosync pacemaker pcsd consul nomad docker; do printf '%s %s %s\\n' \"$u\" \"$(systemctl is-enabled $u 2>&1)\" \"$(systemctl is-active $u 2>&1)\"; done",
    "echo '## crm_mon:'; crm_mon -1 2>&1 | head -40",
    "echo '## volume device:'; ls -l /dev/disk/by-id/ 2>&1; blkid -p /dev/vdb 2>&1; echo \"blkid rc=$?\"",
    "echo '## files:'; ls -l /etc/dbaas /etc/openstack /etc/corosync 2>&1",
    "echo '## unattended-upgrades:'; apt-config dump | grep -E '^(APT::Periodic::Unattended-Upgrade|Unattended-Upgrade::Package-Blacklist)' | head -30",
].join("; ");

/** Runs the whole scenario; always tears down. */
export async function runScenario(plans: Plans, log: (m: string) => void, opts: ScenarioOptions = {}): Promise<{ data: ScenarioData; lab: NodesLab }> {
    const lab = new NodesLab({ plans: [plans.database, plans.grown], bastionUserDataFile: plans.bastionUserData, log });
    const d: ScenarioData = {
        images: { baseBuildS: 0, layerBuildS: 0, upS: 0 }, cloudInit: {}, ssh: { bastion: "", nodeThroughBastion: "", nodeDirect: "" },
        steps: [], after: {}, kills: [], probeFailuresOutsideKills: 0, controller: [], volumeSignature: "", leftovers: [],
    };
    const prober = new Prober(lab);
    const load = opts.load ? os.cpus().map(() => lab.spawnLoad()) : [];
    // When the client may fail: a kill of the group's node, a planned move.
    const outages: [number, number][] = [];
    const drill = async (kind: "active" | "passive") => {
        const t = Date.now();
        log(`${lab.nodeNames.length} nodes: killing ${kind === "active" ? "the group's node" : "a node without the group"}`);
        const k = await killNode(lab, prober, kind);
        outages.push([t, Date.now()]);
        d.kills.push(k);
        log(`  ${k.victim}: lost ${k.lostS} s, fenced ${k.fencedS} s, mounted elsewhere ${k.mountedElsewhereS} s, answering ${k.answeringS} s, rejoined ${k.rejoinedS} s${k.problems.length ? `; PROBLEMS: ${k.problems.join("; ")}` : ""}`);
    };
    try {
        const t0 = Date.now();
        await lab.up();
        d.images = { baseBuildS: lab.images!.baseBuildS, layerBuildS: lab.images!.layerBuildS, upS: (Date.now() - t0) / 1000 };
        const bootT = Date.now();
        log("waiting for cloud-init on every machine");
        const names = [...lab.machines.keys()];
        const ci = await Promise.all(names.map((n) => lab.waitCloudInit(n)));
        names.forEach((n, i) => (d.cloudInit[n] = ci[i]));
        for (const [n, c] of Object.entries(d.cloudInit)) log(`cloud-init ${n}: rc ${c.code}, ${c.seconds.toFixed(1)} s`);

        await lab.waitSsh(lab.bastionName, 120000);
        d.ssh.bastion = (await lab.ssh(lab.bastionName, "hostname")).stdout.trim();
        const first = lab.nodeNames[0];
        await lab.waitSsh(first, 120000);
        const via = await lab.ssh(first, "hostname; id -un");
        d.ssh.nodeThroughBastion = `${via.code === 0 ? "ok" : `exit ${via.code}`}: ${(via.stdout + via.stderr).trim().replace(/\n/g, " ")}`;
        const direct = await run("ip", ["netns", "exec", `${lab.prefix}-op`, "ssh", "-F", lab.route(first).configFile, `debian@${lab.route(first).host}`, "true"], 30000);
        d.ssh.nodeDirect = `exit ${direct.code}: ${direct.stderr.trim()}`;

        const steps = lab.steps(plans.database);
        log(`running ${steps.length} remote commands: ${steps.map((s) => s.name).join(", ")}`);
        d.steps = await lab.runSteps(plans.database, steps, (r) => log(`${r.name} on ${r.node}: ${r.skipped ? `not run (${r.skipped})` : `exit ${r.code} in ${r.seconds.toFixed(1)} s`}`));
        prober.start();
        if (d.steps.every((s) => s.code === 0)) {
            const tc = Date.now();
            const w = await waitStatus(lab, 300000, (s) => serving(lab)(s) && prober.probes().some((p) => p.ok));
            if (w.ok) {
                const sec = (name: string) => d.steps.filter((s) => s.name.endsWith(name)).map((s) => s.seconds);
                d.boot = {
                    cloudInitS: Math.max(...lab.nodeNames.map((n) => d.cloudInit[n].seconds)), fileDropS: sec("-secrets-install"),
                    setupS: sec("-setup")[0], configureS: sec("-configure")[0], servingS: (Date.now() - tc) / 1000, totalS: (Date.now() - bootT) / 1000,
                };
            }
            log(`group ${w.ok ? `serving on ${w.status?.groupNode} ${w.seconds.toFixed(1)} s after configure` : "not serving"}`);
        }
        for (const n of lab.nodeNames) d.after[n] = (await lab.machines.get(n)!.exec(["bash", "-c", OBSERVE], 60000)).stdout;
        if (d.boot && !opts.untilServing) {
            log("re-running every command");
            d.rerun = await rerun(lab, plans.database);
            log(`re-run: ${d.rerun.steps.map((s) => `${s.name} exit ${s.code}`).join(", ")}; group member starts/stops: ${d.rerun.groupOperations}`);
            log("pcs resource move, ban, unmanage; then the configuration again");
            const to = Date.now();
            d.operator = await operatorThenReapply(lab, plans.database);
            outages.push([to, Date.now()]);
            log(`moved ${d.operator.from} -> ${d.operator.to} (${d.operator.movedOk}); after re-applying the group is on ${d.operator.groupAfter}`);
            await drill("passive");
            for (let i = 0; i < (opts.activeKills ?? 1); i++) await drill("active");
            log("replacing a server");
            d.replace = await replaceServer(lab, plans.database, prober);
            log(`replaced ${d.replace.what}: ${d.replace.problems.join("; ") || "ok"}`);
            log("dbaas:nodes 2 -> 3");
            d.grow = await resize(lab, plans.database, plans.grown, prober);
            log(`grown: ${d.grow.problems.join("; ") || "ok"}`);
            for (let i = 0; i < (opts.activeKills ?? 1); i++) await drill("active");
            d.status = await statusThroughBastion(lab, plans.grown);
            log(`dbaas status: exit ${d.status.code}${d.status.code === 0 ? "" : `: ${d.status.stderr.trim()}`}`);
            log("dbaas:nodes 3 -> 2");
            d.shrink = await resize(lab, plans.grown, plans.database, prober);
            log(`shrunk: ${d.shrink.problems.join("; ") || "ok"}`);
        }
        const all = prober.probes().filter((p) => !p.ok && !outages.some(([a, b]) => p.start >= a && p.start <= b));
        const firstOk = prober.probes().find((p) => p.ok)?.start ?? Infinity;
        d.probeFailuresOutsideKills = all.filter((p) => p.start > firstOk).length;
        if (opts.keepMs) {
            log(`keeping the lab up for ${opts.keepMs / 1000} s (work folder ${lab.work})`);
            await sleep(opts.keepMs);
        }
    } catch (e) {
        d.error = e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e);
        log(`stopped: ${d.error}`);
    } finally {
        prober.stop();
        for (const p of load) killGroup(p.pid);
        d.controller = (lab.controller?.events ?? []).map((e) => `${new Date(e.atMs).toISOString().slice(11, 23)} ${e.request} -> ${e.answer}`);
        if (lab.controller) d.volumeSignature = (await run("blkid", ["-p", "-o", "export", lab.controller.volume.loop])).stdout.trim().replace(/\n/g, " ");
        await lab.down();
        d.leftovers = await lab.leftovers();
    }
    return { data: d, lab };
}
