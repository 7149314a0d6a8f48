/**
 * The failover lab: a real corosync + Pacemaker cluster of 2 or 3 "nodes", each node a set of
 * Linux namespaces (network, mount, UTS, IPC, PID) on this machine, configured by the
 * project's own generator (render/pacemaker.ts, lab profile).
 *
 * - Network: a "switch" namespace holding a bridge; each node's eth0 is a veth on it
 *   (lab/net.sh). Nothing is created in the host's network namespace.
 * - Disk: a loop device over a sparse file, formatted, holding a PostgreSQL data directory
 *   (lab/disk.sh). Pacemaker's Filesystem agent mounts it; pgsql runs PostgreSQL from it.
 * - Node: `ip netns exec NS unshare --mount --uts --ipc --pid --fork --mount-proc node-init.sh`
 *   (lab/node-init.sh: private /run, /dev/shm, /tmp, /srv, bind mounts of the node's own
 *   /etc/corosync, /var/lib/pacemaker, /var/lib/corosync, /var/log; corosync -f; pacemakerd -f).
 * - Fencing: lab/fence_lab (installed as /usr/sbin/fence_lab while the lab runs) hands
 *   requests to the {@link Lab} power controller through a spool folder; "off" kills the
 *   node's PID namespace init and deletes its network namespace, "on" boots it again.
 *
 * Every process is recorded by PID and stopped by PID; {@link Lab.down} removes processes,
 * namespaces, the loop device, the work folder and the installed agent, and
 * {@link Lab.leftovers} lists anything that remains (the drill asserts it is empty).
 */
import { ChildProcess, execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    ClusterSpec,
    clusterSetupArgs,
    COROSYNC_TIMINGS,
    configureScript,
    RESOURCE_IDS,
    GROUP_ROLES,
} from "../render/pacemaker";
import { labProfile } from "./profile";

const LAB_DIR = __dirname;
const NET = path.join(LAB_DIR, "net.sh");
const DISK = path.join(LAB_DIR, "disk.sh");
const NODE_INIT = path.join(LAB_DIR, "node-init.sh");
const FENCE_SRC = path.join(LAB_DIR, "fence_lab");
/** Where Pacemaker's fenced and pcs look for fence agents. */
export const FENCE_AGENT_PATH = "/usr/sbin/fence_lab";
/** Lab addresses: never the host's 192.0.2.0/24. */
export const LAB_NET = { prefix: "198.51.100", cidr: "198.51.100.0/24", switchAddr: "198.51.100.254", serviceIp: "198.51.100.100" };
/** One lab at a time on a machine: the fence agent path is global and timings need the CPUs. */
export const LOCK_FILE = "/run/lock/cloud-dbaas-drill.lock";
/** Work folders: WORK_BASE + "<pid>-XXXXXX" (the pid lets a later lab reap a killed drill's leftovers). */
const WORK_BASE = "/var/tmp/cloud-dbaas-drill-";
const PATH_ENV = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export const now = (): number => Date.now();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a command (no shell), bounded in time; never throws on a non-zero exit. */
export function run(cmd: string, args: readonly string[], timeoutMs = 60000, env?: NodeJS.ProcessEnv): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile(cmd, [...args], { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 << 20, env: env ?? { ...process.env, PATH: PATH_ENV } }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 124) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

/** Like {@link run}, but throws with the command's stderr on a non-zero exit. */
export async function must(cmd: string, args: readonly string[], timeoutMs = 60000): Promise<string> {
    const r = await run(cmd, args, timeoutMs);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
}

export function alive(pid: number | undefined): boolean {
    if (!pid) return false;
    try {
        // A zombie still has /proc/PID; it is dead for us.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
    } catch {
        return false;
    }
}

/** PIDs whose parent is `ppid` (scan of /proc: no /proc/PID/task/TID/children on every kernel). */
function childrenOf(ppid: number): number[] {
    const out: number[] = [];
    for (const e of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(e)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            if (Number(fields[1]) === ppid) out.push(Number(e));
        } catch {
            /* gone */
        }
    }
    return out;
}

export interface LabOptions {
    /** 2 or 3 nodes. */
    size: number;
    /** Namespace name prefix (netns names PREFIX-sw, PREFIX-node1, ...); default unique per lab. */
    prefix?: string;
    /** How long to wait for another lab on this machine to finish (default 15 min). */
    lockWaitMs?: number;
    /** File system of the shared volume. */
    fstype?: "xfs" | "ext4";
    /** Override the generator's totem token / consensus (tuning experiments only). */
    tokenMs?: number;
    consensusMs?: number;
    /** Delay between a fence "on" and the node's boot (a real reboot is not instant). */
    bootDelayMs?: number;
    /** Progress messages. */
    log?: (msg: string) => void;
}

interface NodeState {
    name: string;
    addr: string;
    /** PID of `ip netns exec ... unshare` (becomes unshare): lives in the node's mount namespace, outside its PID namespace. */
    spawnPid?: number;
    /** PID (host view) of the node's PID-namespace init (node-init.sh). */
    initPid?: number;
    child?: ChildProcess;
    power: "on" | "off";
}

/** One power operation done by the controller (what fence_lab asked, or the drill itself). */
export interface PowerEvent {
    node: string;
    op: "off" | "on" | "crash";
    /** When the request arrived / the kill was sent. */
    startMs: number;
    /** When the node's processes (and its mount namespace) were gone, or the boot started. */
    doneMs: number;
    by: "fence" | "drill";
}

export interface CrmStatus {
    dc: string | null;
    online: string[];
    /** Group member id → node names where it is active (started). */
    members: Record<string, string[]>;
    /** Node running every member of the group, if one does. */
    groupNode: string | null;
    failedActions: number;
}

export class Lab {
    /** Labs not yet torn down (for the drill's signal handler). */
    static readonly active = new Set<Lab>();
    private static counter = 0;
    readonly size: number;
    readonly prefix: string;
    readonly fstype: "xfs" | "ext4";
    readonly work: string;
    readonly spool: string;
    readonly nodes: NodeState[];
    readonly powerEvents: PowerEvent[] = [];
    loop?: string;
    spec?: ClusterSpec;
    private readonly opts: LabOptions;
    private readonly log: (msg: string) => void;
    private controller?: NodeJS.Timeout;
    private readonly pendingBoots = new Set<NodeJS.Timeout>();
    private readonly handled = new Set<string>();
    private installedAgent = false;
    private locked = false;
    private madeSwitch = false;
    private closing = false;

    constructor(opts: LabOptions) {
        if (opts.size !== 2 && opts.size !== 3) throw new Error(`lab size must be 2 or 3, got ${opts.size}`);
        this.opts = opts;
        this.size = opts.size;
        this.prefix = opts.prefix ?? `dbd${process.pid}x${Lab.counter++}`;
        this.fstype = opts.fstype ?? "xfs";
        this.log = opts.log ?? (() => undefined);
        fs.mkdirSync("/var/tmp", { recursive: true });
        // Under /var/tmp: each node mounts its own tmpfs over /tmp and /run.
        this.work = fs.mkdtempSync(`${WORK_BASE}${process.pid}-`);
        this.spool = path.join(this.work, "spool");
        Lab.active.add(this);
        this.nodes = Array.from({ length: this.size }, (_, i) => ({ name: `node${i + 1}`, addr: `${LAB_NET.prefix}.${11 + i}`, power: "off" as const }));
    }

    nsOf(node: string): string {
        return `${this.prefix}-${node}`;
    }
    get switchNs(): string {
        return `${this.prefix}-sw`;
    }
    node(name: string): NodeState {
        const n = this.nodes.find((x) => x.name === name);
        if (!n) throw new Error(`no lab node ${name}`);
        return n;
    }
    nodeDir(name: string): string {
        return path.join(this.work, "nodes", name);
    }
    /** The node's /var/log as seen from the host. */
    logDir(name: string): string {
        return path.join(this.nodeDir(name), "log");
    }
    get fenceLog(): string {
        return path.join(this.spool, "requests.log");
    }

    /** Builds everything and returns once the group runs; on failure the caller must still call {@link down}. */
    async up(): Promise<void> {
        if (!process.getuid || process.getuid() !== 0) throw new Error("the lab needs root");
        await this.lock();
        await this.reapDead();
        const stale = (await run(NET, ["list", this.prefix])).stdout.trim();
        if (stale) throw new Error(`namespaces of a previous lab remain (${stale.replace(/\n/g, " ")}): remove them first (ip netns del ...)`);
        this.installFenceAgent();
        for (const d of ["req", "done", "state"]) fs.mkdirSync(path.join(this.spool, d), { recursive: true });
        fs.writeFileSync(this.fenceLog, "");

        this.log(`disk: ${this.fstype} on a loop device, PostgreSQL data directory`);
        this.loop = (await must(DISK, ["create", path.join(this.work, "disk.img"), this.fstype, LAB_NET.cidr], 120000)).trim();

        this.madeSwitch = true;
        await must(NET, ["switch-up", this.prefix, `${LAB_NET.switchAddr}/24`]);
        this.spec = this.clusterSpec();
        await this.writeNodeDirs();
        this.controller = setInterval(() => this.serveFenceRequests(), 50);

        this.log(`boot ${this.nodes.map((n) => n.name).join(", ")}`);
        await Promise.all(this.nodes.map((n) => this.boot(n.name)));
        await this.waitFor("cluster membership and a DC", 180000, (s) => s.dc !== null && s.online.length === this.size);
        await this.pushConfig();
        await this.waitStable(240000);
    }

    /** The cluster spec handed to the generator: the lab profile with our stand-ins. */
    clusterSpec(): ClusterSpec {
        if (!this.loop) throw new Error("no loop device yet");
        const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
        const names = this.nodes.map((n) => n.name);
        return {
            clusterName: "drill",
            nodes: this.nodes.map((n, i) => ({ name: n.name, address: n.addr, serverId: uuid(i + 1) })),
            volumeId: uuid(100),
            floatingIpId: uuid(101),
            floatingIp: LAB_NET.serviceIp,
            subnetId: uuid(102),
            mountpoint: "/srv/drill",
            fstype: this.fstype,
            cloud: "lab",
            preferredNode: "node1",
            profile: labProfile({
                blockDevice: this.loop,
                nic: "eth0",
                cidrNetmask: 24,
                fence: { agent: "fence_lab", params: { pcmk_host_list: names.join(" ") } },
                service: {
                    agent: "ocf:heartbeat:pgsql",
                    params: {
                        pgctl: "/usr/lib/postgresql/15/bin/pg_ctl",
                        psql: "/usr/lib/postgresql/15/bin/psql",
                        pgdata: "/srv/drill/pgdata",
                        socketdir: "/run/postgresql",
                        tmpdir: "/run/pgsql-tmp",
                    },
                },
                nomad: "dummy",
            }),
        };
    }

    /** `pcs cluster setup ... --corosync_conf FILE` with the generator's argv (timings optionally overridden). */
    private async writeNodeDirs(): Promise<void> {
        const spec = this.spec!;
        const args = clusterSetupArgs(spec, {
            tokenMs: this.opts.tokenMs ?? COROSYNC_TIMINGS.tokenMs,
            consensusMs: this.opts.consensusMs ?? COROSYNC_TIMINGS.consensusMs,
        });
        const conf = path.join(this.work, "corosync.conf");
        await must("pcs", [...args, "--corosync_conf", conf]);
        const key = path.join(this.work, "authkey");
        await must("corosync-keygen", ["-l", "-k", key]);
        for (const n of this.nodes) {
            const d = this.nodeDir(n.name);
            for (const sub of ["etc-corosync", "lib-corosync", "log/corosync"]) fs.mkdirSync(path.join(d, sub), { recursive: true });
            fs.copyFileSync(conf, path.join(d, "etc-corosync", "corosync.conf"));
            fs.copyFileSync(key, path.join(d, "etc-corosync", "authkey"));
            fs.chmodSync(path.join(d, "etc-corosync", "authkey"), 0o400);
            // Same ownership/modes as the packages' own folders.
            await must("cp", ["-a", "/var/lib/pacemaker", path.join(d, "lib-pacemaker")]);
            await must("cp", ["-a", "/var/log/pacemaker", path.join(d, "log", "pacemaker")]);
            fs.writeFileSync(path.join(this.spool, "state", n.name), "off\n");
        }
    }

    /** Takes {@link LOCK_FILE} (holding our PID), waiting for a live holder; a dead holder's lock is taken over. */
    private async lock(): Promise<void> {
        const deadline = now() + (this.opts.lockWaitMs ?? 15 * 60000);
        fs.mkdirSync(path.dirname(LOCK_FILE), { recursive: true });
        let said = false;
        for (;;) {
            try {
                fs.writeFileSync(LOCK_FILE, `${process.pid}\n`, { flag: "wx" });
                this.locked = true;
                return;
            } catch (e) {
                if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
            }
            let holder = 0;
            try {
                holder = Number(fs.readFileSync(LOCK_FILE, "utf8").trim());
            } catch {
                continue; // released meanwhile
            }
            if (holder !== process.pid && !alive(holder)) {
                this.log(`taking over the lock of dead process ${holder}`);
                fs.rmSync(LOCK_FILE, { force: true });
                continue;
            }
            if (now() > deadline) throw new Error(`another lab (process ${holder}) still runs after the wait: ${LOCK_FILE}`);
            if (!said) this.log(`waiting for the lab of process ${holder} to finish (${LOCK_FILE})`);
            said = true;
            await sleep(2000);
        }
    }

    /**
     * Removes what a drill killed without its teardown (SIGKILL, a mocha timeout) left behind:
     * namespaces "dbd<pid>x<n>-*" and work folders "<WORK_BASE><pid>-*" of dead pids, with their
     * processes (found through `ip netns pids`, killed by PID) and loop devices.
     */
    private async reapDead(): Promise<void> {
        const dead = (pid: number) => pid !== process.pid && !alive(pid);
        for (const ns of (await run("ip", ["netns", "list"])).stdout.split("\n").map((l) => l.split(" ")[0])) {
            const m = /^dbd(\d+)x\d+-/.exec(ns);
            if (!m || !dead(Number(m[1]))) continue;
            this.log(`reaping ${ns} of dead drill ${m[1]}`);
            for (const pid of (await run("ip", ["netns", "pids", ns])).stdout.split(/\s+/).filter(Boolean)) {
                try {
                    process.kill(Number(pid), "SIGKILL");
                } catch {
                    /* gone */
                }
            }
            await sleep(500);
            await run("ip", ["netns", "del", ns]);
        }
        const loops = (await run("losetup", ["-n", "-O", "NAME,BACK-FILE", "-l"])).stdout.split("\n");
        for (const dir of fs.readdirSync(path.dirname(WORK_BASE))) {
            const full = path.join(path.dirname(WORK_BASE), dir);
            const m = new RegExp(`^${path.basename(WORK_BASE)}(\\d+)-`).exec(dir);
            if (!m || !dead(Number(m[1]))) continue;
            this.log(`reaping ${full} of dead drill ${m[1]}`);
            for (const l of loops) {
                const [dev, file] = l.trim().split(/\s+/);
                if (file?.startsWith(full + "/")) await run("losetup", ["-d", dev]);
            }
            fs.rmSync(full, { recursive: true, force: true });
        }
    }

    private installFenceAgent(): void {
        const src = fs.readFileSync(FENCE_SRC);
        if (fs.existsSync(FENCE_AGENT_PATH) && !fs.readFileSync(FENCE_AGENT_PATH).equals(src)) {
            // Ours only if identical: a leftover of a killed drill (we hold the lock) is replaced.
            throw new Error(`${FENCE_AGENT_PATH} exists and is not this lab's agent: refusing to overwrite it`);
        }
        fs.copyFileSync(FENCE_SRC, FENCE_AGENT_PATH);
        fs.chmodSync(FENCE_AGENT_PATH, 0o755);
        this.installedAgent = true;
    }

    /** Powers a node on: network namespace + veth, then the namespaced init (corosync, pacemakerd). */
    async boot(name: string): Promise<void> {
        const n = this.node(name);
        if (this.closing) return;
        if (n.power === "on" && alive(n.initPid)) return;
        await run(NET, ["node-down", this.prefix, name]);
        await must(NET, ["node-up", this.prefix, name, `${n.addr}/24`]);
        const out = fs.openSync(path.join(this.nodeDir(name), "console.log"), "a");
        const child = spawn(
            "ip",
            ["netns", "exec", this.nsOf(name), "unshare", "--mount", "--uts", "--ipc", "--pid", "--fork", "--mount-proc", NODE_INIT],
            {
                env: { PATH: PATH_ENV, LANG: "C.UTF-8", NODE_NAME: name, NODE_DIR: this.nodeDir(name), FENCE_SPOOL: this.spool },
                stdio: ["ignore", out, out],
                detached: true,
            },
        );
        fs.closeSync(out);
        child.on("error", (e) => this.log(`${name}: spawn error ${e.message}`));
        n.child = child;
        n.spawnPid = child.pid;
        n.initPid = undefined;
        for (let i = 0; i < 100 && !n.initPid; i++) {
            const kids = childrenOf(child.pid!);
            if (kids.length) n.initPid = kids[0];
            else await sleep(50);
        }
        if (!n.initPid) throw new Error(`${name}: its init did not start`);
        n.power = "on";
        fs.writeFileSync(path.join(this.spool, "state", name), "on\n");
    }

    /** The drill's kill: SIGKILL to the node's PID-namespace init (the kernel kills every process in it), switch port cut. */
    async crash(name: string): Promise<number> {
        const n = this.node(name);
        if (!n.initPid || !alive(n.initPid)) throw new Error(`${name} is not running`);
        const t = now();
        process.kill(n.initPid, "SIGKILL");
        // A dead machine is silent on the wire (no RST/ICMP from the kernel of a namespace that lives on).
        await run(NET, ["port-down", this.prefix, name]);
        this.powerEvents.push({ node: name, op: "crash", startMs: t, doneMs: t, by: "drill" });
        return t;
    }

    /** Power off for real: every process of the node gone (hence its mounts), then its network namespace deleted. */
    async powerOff(name: string, by: PowerEvent["by"]): Promise<void> {
        const n = this.node(name);
        const t0 = now();
        for (const pid of [n.initPid, n.spawnPid]) {
            if (pid && alive(pid)) {
                try {
                    process.kill(pid, "SIGKILL");
                } catch {
                    /* already gone */
                }
            }
        }
        for (let i = 0; i < 200 && (alive(n.initPid) || alive(n.spawnPid)); i++) await sleep(25);
        if (alive(n.initPid) || alive(n.spawnPid)) throw new Error(`${name}: processes still alive after SIGKILL`);
        await must(NET, ["node-down", this.prefix, name]);
        n.power = "off";
        fs.writeFileSync(path.join(this.spool, "state", name), "off\n");
        this.powerEvents.push({ node: name, op: "off", startMs: t0, doneMs: now(), by });
    }

    /** The power controller: answers fence_lab's requests (polled every 50 ms). */
    private serveFenceRequests(): void {
        let ids: string[];
        try {
            ids = fs.readdirSync(path.join(this.spool, "req")).filter((f) => !f.startsWith("."));
        } catch {
            return;
        }
        for (const id of ids) {
            if (this.handled.has(id)) continue;
            this.handled.add(id);
            const reqFile = path.join(this.spool, "req", id);
            const [target, op] = fs.readFileSync(reqFile, "utf8").trim().split(/\s+/);
            fs.rmSync(reqFile, { force: true });
            const answer = (text: string) => {
                const tmp = path.join(this.spool, "done", `.${id}`);
                fs.writeFileSync(tmp, text + "\n");
                fs.renameSync(tmp, path.join(this.spool, "done", id));
            };
            const known = this.nodes.some((x) => x.name === target);
            if (!known || (op !== "off" && op !== "on")) {
                answer(`fail unknown request ${target} ${op}`);
                continue;
            }
            this.log(`fence_lab: ${op} ${target}`);
            if (op === "off") {
                this.powerOff(target, "fence").then(
                    () => answer("ok"),
                    (e: Error) => answer(`fail ${e.message}`),
                );
            } else {
                // "on": the machine boots after a delay (like a real reboot); fencing is done once it is off.
                const t0 = now();
                const timer = setTimeout(() => {
                    this.pendingBoots.delete(timer);
                    this.boot(target).catch((e: Error) => this.log(`boot ${target} failed: ${e.message}`));
                }, this.opts.bootDelayMs ?? 3000);
                this.pendingBoots.add(timer);
                this.powerEvents.push({ node: target, op: "on", startMs: t0, doneMs: t0, by: "fence" });
                answer("ok");
            }
        }
    }

    /** Runs a command inside a node (all its namespaces), bounded in time. */
    exec(name: string, argv: readonly string[], timeoutMs = 30000): Promise<RunResult> {
        const n = this.node(name);
        if (!n.initPid || !alive(n.initPid)) return Promise.resolve({ code: 255, stdout: "", stderr: `${name} is down` });
        return run("nsenter", ["-t", String(n.initPid), "-m", "-u", "-i", "-n", "-p", "--", ...argv], timeoutMs);
    }

    /** Mount namespace views to poll: /proc/PID/mounts of the node's unshare and init processes. */
    mountedOn(): string[] {
        const out: string[] = [];
        for (const n of this.nodes) {
            for (const pid of [n.spawnPid, n.initPid]) {
                if (!pid) continue;
                let text = "";
                try {
                    text = fs.readFileSync(`/proc/${pid}/mounts`, "utf8");
                } catch {
                    continue;
                }
                if (this.loop && text.split("\n").some((l) => l.startsWith(this.loop + " "))) {
                    out.push(n.name);
                    break;
                }
            }
        }
        return out;
    }

    /** crm_mon of the first live node, parsed (null when no node answers). */
    async status(): Promise<CrmStatus | null> {
        for (const n of this.nodes) {
            if (n.power !== "on" || !alive(n.initPid)) continue;
            const r = await this.exec(n.name, ["crm_mon", "-1", "--output-as=xml"], 10000);
            if (r.code !== 0 || !r.stdout.includes("<nodes>")) continue;
            return parseCrmMon(r.stdout);
        }
        return null;
    }

    async waitFor(what: string, timeoutMs: number, ok: (s: CrmStatus) => boolean): Promise<CrmStatus> {
        const deadline = now() + timeoutMs;
        let last: CrmStatus | null = null;
        while (now() < deadline) {
            last = await this.status();
            if (last && ok(last)) return last;
            await sleep(1000);
        }
        throw new Error(`timeout (${timeoutMs / 1000}s) waiting for ${what}; last status: ${JSON.stringify(last)}`);
    }

    /** Every node powered on and online, the whole group started on one node. */
    async waitStable(timeoutMs = 240000): Promise<CrmStatus> {
        for (const n of this.nodes) if (n.power === "off" || !alive(n.initPid)) await this.boot(n.name);
        return this.waitFor("all nodes online and the group started", timeoutMs, (s) => s.online.length === this.size && s.groupNode !== null && s.failedActions === 0);
    }

    /** Generated configuration: `pcs cluster cib` → configureScript (pcs -f) → `pcs cluster cib-push --config`. */
    private async pushConfig(): Promise<void> {
        const script = path.join(this.work, "configure.sh");
        fs.writeFileSync(script, configureScript(this.spec!), { mode: 0o755 });
        const cib = path.join(this.work, "cib.xml");
        const first = this.nodes[0].name;
        for (const argv of [
            ["pcs", "cluster", "cib", cib],
            ["bash", script, cib],
            ["pcs", "cluster", "cib-push", cib, "--config"],
        ]) {
            const r = await this.exec(first, argv, 120000);
            if (r.code !== 0) throw new Error(`${argv.join(" ")} on ${first} exited ${r.code}: ${r.stderr.trim()}`);
        }
        this.log("configuration pushed (generated by render/pacemaker.ts, lab profile)");
    }

    /** Stops and removes everything; safe to call more than once and after a failed {@link up}. */
    async down(): Promise<void> {
        this.closing = true;
        Lab.active.delete(this);
        if (this.controller) clearInterval(this.controller);
        for (const t of this.pendingBoots) clearTimeout(t);
        this.pendingBoots.clear();
        for (const n of this.nodes) {
            for (const pid of [n.initPid, n.spawnPid]) {
                if (pid && alive(pid)) {
                    try {
                        process.kill(pid, "SIGKILL");
                    } catch {
                        /* gone */
                    }
                }
            }
        }
        for (const n of this.nodes) {
            for (let i = 0; i < 200 && (alive(n.initPid) || alive(n.spawnPid)); i++) await sleep(25);
            await run(NET, ["node-down", this.prefix, n.name]);
            n.power = "off";
        }
        if (this.madeSwitch) await run(NET, ["switch-down", this.prefix]);
        if (this.loop) await run(DISK, ["destroy", this.loop, path.join(this.work, "disk.img")]);
        if (this.installedAgent) {
            fs.rmSync(FENCE_AGENT_PATH, { force: true });
            this.installedAgent = false;
        }
        if (this.locked) {
            fs.rmSync(LOCK_FILE, { force: true });
            this.locked = false;
        }
    }

    /** Removes the work folder (logs included): call after reading the logs. */
    removeWork(): void {
        fs.rmSync(this.work, { recursive: true, force: true });
    }

    /** Anything of this lab still present: namespaces, processes, loop device, mounts, agent. */
    async leftovers(): Promise<string[]> {
        const left: string[] = [];
        const ns = (await run(NET, ["list", this.prefix])).stdout.trim();
        if (ns) left.push(`network namespaces: ${ns.replace(/\n/g, " ")}`);
        for (const n of this.nodes) for (const pid of [n.initPid, n.spawnPid]) if (alive(pid)) left.push(`process ${pid} (${n.name})`);
        if (this.loop) {
            const l = await run("losetup", ["-n", "-O", "NAME,BACK-FILE", "-l"]);
            if (l.stdout.includes(this.work)) left.push(`loop device ${this.loop} over ${this.work}`);
            const dev = path.basename(this.loop);
            if (fs.existsSync(`/sys/fs/${this.fstype}/${dev}`)) left.push(`${this.fstype} on ${this.loop} still mounted somewhere`);
        }
        const mounts = fs.readFileSync("/proc/self/mounts", "utf8");
        if (mounts.includes(this.work) || (this.loop && mounts.includes(this.loop + " "))) left.push("host mounts of the lab");
        // The agent is global: it must be gone unless another lab (holding the lock) installed it again.
        if (this.installedAgent || (fs.existsSync(FENCE_AGENT_PATH) && !fs.existsSync(LOCK_FILE))) left.push(FENCE_AGENT_PATH);
        if (this.locked) left.push(LOCK_FILE);
        return left;
    }
}

/** Parses `crm_mon -1 --output-as=xml` (only what the drill needs). */
export function parseCrmMon(xml: string): CrmStatus {
    const dcMatch = /<current_dc[^>]*\bwith_quorum="true"[^>]*\bname="([^"]+)"/.exec(xml) ?? /<current_dc[^>]*\bname="([^"]+)"/.exec(xml);
    const online: string[] = [];
    for (const m of xml.matchAll(/<node name="([^"]+)"[^>]*\bonline="true"/g)) online.push(m[1]);
    const members: Record<string, string[]> = {};
    const groupXml = new RegExp(`<group id="${RESOURCE_IDS.group}"[\\s\\S]*?</group>`).exec(xml)?.[0] ?? "";
    for (const m of groupXml.matchAll(/<resource id="([^"]+)"[^>]*?(\/>|>([\s\S]*?)<\/resource>)/g)) {
        const active = /\brole="Started"/.test(m[0]) && /\bactive="true"/.test(m[0]) && !/\bfailed="true"/.test(m[0]);
        members[m[1]] = active ? [...(m[3] ?? "").matchAll(/<node name="([^"]+)"/g)].map((x) => x[1]) : [];
    }
    const ids = GROUP_ROLES.map((r) => RESOURCE_IDS[r]).filter((id) => id in members);
    const first = ids.length ? members[ids[0]] : [];
    const groupNode = ids.length > 0 && first.length === 1 && ids.every((id) => members[id].length === 1 && members[id][0] === first[0]) ? first[0] : null;
    const failedActions = [...xml.matchAll(/<failure /g)].length;
    return { dc: dcMatch ? dcMatch[1] : null, online, members, groupNode, failedActions };
}
