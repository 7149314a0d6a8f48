/**
 * The machine lab's scenario, shared by the CLI (lab/machines/cli.ts) and the mocha test
 * (test/nodes.test.ts): render the offline plans, boot, wait for cloud-init, check the SSH
 * path, run the plan's remote commands through the bastion, observe the cluster, tear down.
 * It records what happens and never hides a failure: every result is in the report.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { NodesLab, StepResult } from "./nodesLab";
import { must, run, sleep } from "./proc";
import { CrashResult, crashActive, moveThenReapply, rerun, waitStatus } from "./checks";

const ROOT = path.join(__dirname, "..", "..");

/** Where the rendered plans are. */
export interface Plans {
    /** The database stack's plan folder. */
    readonly database: string;
    /** The bastion's user data file (from the control plane's plan). */
    readonly bastionUserData: string;
}

/** Renders both plans with the project's own command (`dbaas render`). */
export async function renderPlans(databaseConfig: string, controlPlaneConfig: string, out: string): Promise<Plans> {
    const render = async (config: string, dir: string) =>
        must("node", [path.join(ROOT, "cli/dbaas.js"), "render", "--config", path.resolve(ROOT, config), "--out", dir], 180000);
    const database = path.join(out, "database");
    const cp = path.join(out, "control-plane");
    await render(databaseConfig, database);
    await render(controlPlaneConfig, cp);
    const bastion = fs.readdirSync(path.join(cp, "artifacts", "cloud-init")).find((f) => f.endsWith("-bastion.yaml"));
    if (!bastion) throw new Error("no bastion user data in the control plane's plan");
    return { database, bastionUserData: path.join(cp, "artifacts", "cloud-init", bastion) };
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
    /** Observations after the commands, per node. */
    after: Record<string, string>;
    /** Once every command succeeded: seconds from the end of configure to the whole group started, and where. */
    serving?: { ok: boolean; seconds: number; node: string | null };
    /** Every command run again: results, and how many resource starts that caused. */
    rerun?: { steps: StepResult[]; restartsCaused: number };
    /** An operator's move, then the configuration re-applied. */
    move?: Awaited<ReturnType<typeof moveThenReapply>>;
    /** The active node killed. */
    crash?: CrashResult;
    /** The cloud stand-in's requests. */
    controller: string[];
    /** Whether the data volume holds a file system signature at the end (blkid -p). */
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
    "echo '## files:'; ls -l /etc/dbaas /etc/openstack 2>&1",
    "echo '## unattended-upgrades:'; apt-config dump | grep -E '^(APT::Periodic::(Update-Package-Lists|Unattended-Upgrade)|Unattended-Upgrade::(Package-Blacklist|Origins-Pattern))' | head -8; " +
        "printf 'apt-daily-upgrade.timer %s\\n' \"$(systemctl is-enabled apt-daily-upgrade.timer 2>&1)\"",
].join("; ");

function summary(d: ScenarioData): string {
    const lines = [`images: base ${d.images.baseBuildS.toFixed(0)} s, layer ${d.images.layerBuildS.toFixed(0)} s (0 = cached); lab up ${d.images.upS.toFixed(1)} s`];
    for (const [m, c] of Object.entries(d.cloudInit)) lines.push(`cloud-init ${m}: rc ${c.code} after ${c.seconds.toFixed(1)} s: ${c.status.replace(/^\.+\n?/, "").trim().split("\n").filter((l) => /^(status|detail|errors| {2})/.test(l)).join(" | ")}`);
    lines.push(`ssh: bastion: ${d.ssh.bastion}; node via bastion: ${d.ssh.nodeThroughBastion}; node direct from the operator: ${d.ssh.nodeDirect}`);
    for (const s of d.steps) {
        lines.push(`--- ${s.name} on ${s.node}: ${s.skipped ? `NOT RUN (${s.skipped})` : `exit ${s.code} in ${s.seconds.toFixed(1)} s`}`);
        for (const e of s.dialErrors ?? []) lines.push(`connection retried: ${e}`);
        if (s.stdout.trim()) lines.push(`stdout:\n${s.stdout.trim().split("\n").slice(-25).join("\n")}`);
        if (s.stderr.trim()) lines.push(`stderr:\n${s.stderr.trim().split("\n").slice(-25).join("\n")}`);
    }
    for (const [n, o] of Object.entries(d.after)) lines.push(`=== ${n} after the commands:\n${o.trim()}`);
    if (d.serving) lines.push(`group serving: ${d.serving.ok} on ${d.serving.node} after ${d.serving.seconds.toFixed(1)} s`);
    if (d.rerun) {
        lines.push(`re-run: ${d.rerun.steps.map((s) => `${s.name} exit ${s.code}: ${(s.stdout + s.stderr).trim().split("\n").pop() ?? ""}`).join("; ")}; resource starts caused: ${d.rerun.restartsCaused}`);
        for (const s of d.rerun.steps) for (const e of s.dialErrors ?? []) lines.push(`re-run ${s.name}: connection retried: ${e}`);
    }
    if (d.move) lines.push(`operator: ${d.move.operator}\nmove ${d.move.from} -> ${d.move.to}: ${d.move.movedOk}; after re-apply the group is on ${d.move.groupAfter}\nconstraints before re-apply:\n${d.move.constraintsBefore.trim()}\nconstraints after re-apply:\n${d.move.constraintsAfter.trim()}`);
    if (d.crash) lines.push(`crash of ${d.crash.victim}: lost ${d.crash.lostS} s, fenced ${d.crash.fencedS} s, mounted on the survivor ${d.crash.mountedElsewhereS} s, group ${d.crash.groupS} s; max nodes mounting: ${d.crash.maxMounted}; group after: ${d.crash.groupAfter}; rejoined: ${d.crash.rejoined}`);
    lines.push(`controller requests: ${d.controller.length ? d.controller.join("; ") : "none"}`);
    lines.push(`volume signature at the end: ${d.volumeSignature || "none (blank)"}`);
    if (d.error) lines.push(`STOPPED: ${d.error}`);
    lines.push(`leftovers: ${d.leftovers.length ? d.leftovers.join("; ") : "none"}`);
    return lines.join("\n");
}

/** Runs the whole scenario; always tears down. `keepMs`: stay up that long before teardown (debugging). */
export async function runScenario(plans: Plans, log: (m: string) => void, keepMs = 0): Promise<{ data: ScenarioData; text: string }> {
    const lab = new NodesLab({ planDir: plans.database, bastionUserDataFile: plans.bastionUserData, log });
    const d: ScenarioData = {
        images: { baseBuildS: 0, layerBuildS: 0, upS: 0 }, cloudInit: {}, ssh: { bastion: "", nodeThroughBastion: "", nodeDirect: "" },
        steps: [], after: {}, controller: [], volumeSignature: "", leftovers: [],
    };
    try {
        const t0 = Date.now();
        await lab.up();
        d.images = { baseBuildS: lab.images!.baseBuildS, layerBuildS: lab.images!.layerBuildS, upS: (Date.now() - t0) / 1000 };
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

        log(`running ${lab.steps.length} remote commands: ${lab.steps.map((s) => s.name).join(", ")}`);
        d.steps = await lab.runSteps((r) => log(`${r.name} on ${r.node}: ${r.skipped ? `not run (${r.skipped})` : `exit ${r.code} in ${r.seconds.toFixed(1)} s`}`));
        if (d.steps.every((s) => s.code === 0)) {
            log("every command succeeded: waiting (at most 300 s) for the whole group to start");
            const w = await waitStatus(lab, 300000, (s) => s.groupNode !== null && s.failedActions === 0 && s.online.length === lab.nodeNames.length);
            d.serving = { ok: w.ok, seconds: w.seconds, node: w.status?.groupNode ?? null };
            log(`group ${w.ok ? `serving on ${w.status?.groupNode} after ${w.seconds.toFixed(1)} s` : "not serving"}`);
        }
        for (const n of lab.nodeNames) d.after[n] = (await lab.machines.get(n)!.exec(["bash", "-c", OBSERVE], 60000)).stdout;
        if (d.serving?.ok) {
            log("re-running every command");
            d.rerun = await rerun(lab);
            log(`re-run: ${d.rerun.steps.map((s) => `${s.name} exit ${s.code}`).join(", ")}; ${d.rerun.restartsCaused} resource starts caused`);
            log("pcs resource move, then the configuration again");
            d.move = await moveThenReapply(lab);
            log(`moved ${d.move.from} -> ${d.move.to} (${d.move.movedOk}); after re-applying, the group is on ${d.move.groupAfter}`);
            log("killing the node that holds the group");
            d.crash = await crashActive(lab);
            log(`crash: ${JSON.stringify(d.crash)}`);
        }
        if (keepMs > 0) {
            log(`keeping the lab up for ${keepMs / 1000} s (work folder ${lab.work})`);
            await sleep(keepMs);
        }
    } catch (e) {
        d.error = e instanceof Error ? e.message : String(e);
        log(`stopped: ${d.error}`);
    } finally {
        d.controller = (lab.controller?.events ?? []).map((e) => `${e.request} -> ${e.answer}`);
        if (lab.controller) d.volumeSignature = (await run("blkid", ["-p", "-o", "export", lab.controller.volume.loop])).stdout.trim().replace(/\n/g, " ");
        await lab.down();
        d.leftovers = await lab.leftovers();
    }
    return { data: d, text: summary(d) };
}
