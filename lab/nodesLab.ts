/**
 * The lab: a database cluster's nodes and a bastion booted like cloud servers from the offline
 * plan's own artefacts (user data, file drops, remote commands), on systemd-nspawn machines, and
 * the plan's remote commands run through the bastion as Pulumi would run them. Servers can be
 * added (a grown plan) and replaced (a new server on the same port, a blank disk, a new id), as
 * Nova would. See lab/README.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { CloudController, createBlankVolume } from "./controller";
import { ensureImages, Images } from "./images";
import { LabPlan } from "./labPlan";
import { Machine, MachineSpec } from "./machine";
import { RemoteStep, volumeIdOf } from "./plan";
import { LabSecrets, makeLabSecrets } from "./secrets";
import { SshRoute, isDialError, makeSshKey, sshRun } from "./ssh";
import { alive, holdsLabLock, kill, killGroup, must, releaseLabLock, run, sleep, takeLabLock } from "./proc";
import { hashicorpPins, labUserData, noCloudMetaData, noCloudNetworkConfig, userDataPackages } from "./userData";
import { WORK_BASE, reapDead } from "./reap";

const HERE = __dirname;
const NET = path.join(HERE, "net.sh");
/** The plan's platform subnet (plan/placeholders.ts): the lab's br0 carries it. */
export const PLATFORM = { cidr: "10.42.0.0/24", prefixLen: 24, gateway: "10.42.0.1", bastion: "10.42.0.5", serviceIp: "10.42.0.250" };
/** The lab's outside (never the host's 192.0.2.0/24): the bastion's public address, the operator. */
export const OUTSIDE = { prefixLen: 24, operator: "198.51.100.1", bastion: "198.51.100.10" };
/** The production agents the lab replaces (dpkg-divert) by its stand-ins of lab/agents/. */
export const STAND_IN_AGENTS: Readonly<Record<string, string>> = {
    "openstack-cinder-volume": "/usr/lib/ocf/resource.d/heartbeat/openstack-cinder-volume",
    "openstack-info": "/usr/lib/ocf/resource.d/heartbeat/openstack-info",
    "openstack-floating-ip": "/usr/lib/ocf/resource.d/heartbeat/openstack-floating-ip",
    fence_openstack: "/usr/sbin/fence_openstack",
};
/** The connection user (the Debian cloud image's default user; the control plane's sshUser). */
export const SSH_USER = "debian";

/** What one remote command did. */
export interface StepResult {
    /** Resource name. */
    readonly name: string;
    /** Machine it ran on. */
    readonly node: string;
    /** Exit code; null when not run. */
    readonly code: number | null;
    /** Its output. */
    readonly stdout: string;
    /** Its error output. */
    readonly stderr: string;
    /** Seconds it took. */
    readonly seconds: number;
    /** Why it was not run. */
    readonly skipped?: string;
    /** Connection failures retried before it ran (as Pulumi's provider retries dials), with what the machines logged. */
    readonly dialErrors?: readonly string[];
}

/** Options of {@link NodesLab}. */
export interface NodesLabOptions {
    /** The database stack's plans: what is deployed first, and every other plan the run will apply (their nodes get secrets). */
    readonly plans: readonly LabPlan[];
    /** The bastion's user data (the control plane's offline plan: artifacts/cloud-init/<bastion>.yaml). */
    readonly bastionUserDataFile: string;
    /** Progress messages. */
    readonly log?: (msg: string) => void;
    /** How long to wait for another lab (default 30 min). */
    readonly lockWaitMs?: number;
}

/** The lab. */
export class NodesLab {
    /** Labs not yet torn down (for signal handlers). */
    static readonly active = new Set<NodesLab>();
    private static counter = 0;
    /** Namespace prefix. */
    readonly prefix = `dbm${process.pid}x${NodesLab.counter++}`;
    /** Work folder. */
    readonly work: string;
    /** Machines by host name (the bastion included). */
    readonly machines = new Map<string, Machine>();
    /** The bastion's host name. */
    bastionName = "";
    /** The nodes that exist, in index order. */
    nodeNames: string[] = [];
    /** Each server's mock id (the plans') → its real id, where Nova gave another (a replaced server). */
    readonly realIds: Record<string, string> = {};
    /** Images used. */
    images?: Images;
    /** The cloud stand-in. */
    controller?: CloudController;
    /** The lab's secrets. */
    secrets?: LabSecrets;
    /** Progress messages. */
    readonly log: (m: string) => void;
    private readonly procs: ChildProcess[] = [];
    private readonly addresses: Record<string, string> = {};
    /** The platform's SSH private key (the lab's). */
    keyFile = "";
    private sshConfigFile = "";
    private publicKey = "";
    private repo = "";
    private spool = "";
    private loop?: string;
    private locked = false;
    private nodeCount = 0;
    /** Machines deleted during the run (checked for leftovers too). */
    private readonly removed: Machine[] = [];

    constructor(private readonly opts: NodesLabOptions) {
        this.log = opts.log ?? (() => undefined);
        this.work = fs.mkdtempSync(`${WORK_BASE}${process.pid}-`);
        NodesLab.active.add(this);
    }

    /** Builds images (cached), network, volume and the first plan's machines, and boots them. */
    async up(): Promise<void> {
        if (!process.getuid || process.getuid() !== 0) throw new Error("the lab needs root");
        await takeLabLock(this.opts.lockWaitMs ?? 30 * 60000, this.log);
        this.locked = true;
        await reapDead(this.log);
        const first = this.opts.plans[0];
        const bastionUserData = fs.readFileSync(this.opts.bastionUserDataFile, "utf8");
        this.bastionName = /^hostname: (\S+)$/m.exec(bastionUserData)?.[1] ?? "bastion";
        const nodePackages = this.opts.plans.flatMap((p) => p.nodes.flatMap((n) => userDataPackages(p.userData[n])));
        this.images = await ensureImages(userDataPackages(bastionUserData), nodePackages, this.log);
        const pins = hashicorpPins(first.userData[first.nodes[0]]);
        this.repo = path.join(this.work, "repo");
        await must(path.join(HERE, "stubs.sh"), ["repo", this.repo, pins.consul, pins.nomad, "bookworm"]);
        const ssh = await makeSshKey(this.work, (c, a) => run(c, a));
        this.sshConfigFile = ssh.configFile;
        this.keyFile = ssh.key;
        this.publicKey = ssh.publicKey;
        for (const p of this.opts.plans) Object.assign(this.addresses, p.addresses);
        this.secrets = makeLabSecrets(Object.entries(this.addresses).map(([hostname, address]) => ({ hostname, address })));

        await must(NET, ["switch-up", this.prefix, `${PLATFORM.gateway}/${PLATFORM.prefixLen}`]);
        await must(NET, ["operator-up", this.prefix, `${OUTSIDE.operator}/${OUTSIDE.prefixLen}`]);
        this.startMirrorRelay();
        this.spool = path.join(this.work, "spool");
        fs.mkdirSync(this.spool, { recursive: true });
        this.loop = await createBlankVolume(path.join(this.work, "volume.img"), 2048);
        const configure = first.steps({}).find((s) => s.name.endsWith("-configure"))!;
        this.controller = new CloudController(this.spool, this.machines, new Map(), { id: volumeIdOf(configure.create), loop: this.loop });
        this.controller.start();

        const bastionPorts = [{ ifname: "eth0", cidr: `${PLATFORM.bastion}/${PLATFORM.prefixLen}` }, { ifname: "eth1", cidr: `${OUTSIDE.bastion}/${OUTSIDE.prefixLen}` }];
        const bastion = new Machine({
            name: this.bastionName, lowers: this.images.bastion, netns: `${this.prefix}-${this.bastionName}`,
            ports: [{ bridge: "br0", port: "b0", ifname: "eth0", mac: mac(0) }, { bridge: "br1", port: "b1", ifname: "eth1", mac: mac(1) }],
            files: this.seed(this.bastionName, "00000000-0000-4000-8000-00000000b001", bastionUserData, bastionPorts), divert: [],
        }, this.work, this.spool, this.prefix);
        this.machines.set(this.bastionName, bastion);
        await bastion.create();
        const created = [bastion];
        for (const n of first.nodes) created.push(await this.createNode(n, first, first.mockIds[n], true));
        this.log(`boot ${created.map((m) => m.spec.name).join(", ")}`);
        await Promise.all(created.map((m) => m.boot()));
    }

    /** The NoCloud seed and the lab's apt settings of a machine. */
    private seed(name: string, serverId: string, userData: string, ports: { ifname: string; cidr: string }[]): MachineSpec["files"] {
        return {
            "var/lib/cloud/seed/nocloud/user-data": { content: userData, mode: 0o600 },
            "var/lib/cloud/seed/nocloud/meta-data": { content: noCloudMetaData(serverId, name, this.publicKey), mode: 0o600 },
            "var/lib/cloud/seed/nocloud/network-config": { content: noCloudNetworkConfig(ports), mode: 0o600 },
            "etc/apt/apt.conf.d/00cloud-dbaas-lab": { content: `// cloud-dbaas lab: the Debian mirror through the lab's relay.\nAcquire::http::Proxy "http://${PLATFORM.gateway}:3142";\nAcquire::Check-Valid-Until "false";\n`, mode: 0o644 },
            // In these containers (cgroup v1 host), stopping a user's systemd manager hangs until its
            // 90 s timeout ("Processes still around after final SIGKILL"), and every SSH login of that
            // user waits meanwhile: the manager, once started, is kept (see README: differences).
            "etc/systemd/logind.conf.d/00cloud-dbaas-lab.conf": { content: "# cloud-dbaas lab: keep user managers running (their stop hangs in these containers).\n[Login]\nUserStopDelaySec=infinity\n", mode: 0o644 },
        };
    }

    /** Creates a node's machine (not booted) from a plan: its user data (the one change: labUserData), its server id; new ports unless it replaces a server. */
    private async createNode(name: string, plan: LabPlan, serverId: string, newPorts: boolean): Promise<Machine> {
        const configure = plan.steps({}).find((s) => s.name.endsWith("-configure"))!.create;
        const mountpoint = /directory=(\/[^'"\s\\]+)/.exec(configure)?.[1];
        const cluster = /cluster (\S+) \(profile/.exec(configure)?.[1] ?? name.replace(/-\d+$/, "");
        if (!mountpoint) throw new Error("no Filesystem directory in the configuration");
        const index = Number(/-(\d+)$/.exec(name)?.[1] ?? this.nodeCount);
        const ports = [{ ifname: "eth0", cidr: `${plan.addresses[name]}/${PLATFORM.prefixLen}` }];
        const key = fs.readFileSync(path.join(this.repo, "key.asc"), "utf8");
        const engine = [`DATA=${mountpoint}/postgresql/15`, "BIN=/usr/lib/postgresql/15/bin", "PORT=5432", `JOB=${cluster}-engine`, `CLIENTS=${PLATFORM.cidr}`];
        const m = new Machine({
            name, lowers: this.images!.node, netns: `${this.prefix}-${name}`,
            ports: [{ bridge: "br0", port: `n${index}`, ifname: "eth0", mac: mac(2 + index) }],
            files: {
                ...this.seed(name, serverId, labUserData(plan.userData[name], key), ports),
                "usr/lib/cloud-dbaas-lab/lab-request": { content: fs.readFileSync(path.join(HERE, "agents", "lab-request"), "utf8"), mode: 0o755 },
                "etc/cloud-dbaas-lab/floating-ip.env": { content: `IP=${PLATFORM.serviceIp}\nNIC=eth0\nCIDR_NETMASK=${PLATFORM.prefixLen}\n`, mode: 0o644 },
                "etc/cloud-dbaas-lab/engine.env": { content: `${engine.join("\n")}\n`, mode: 0o644 },
                ...Object.fromEntries(Object.entries(STAND_IN_AGENTS).map(([agent, p]) => [p.slice(1), { content: fs.readFileSync(path.join(HERE, "agents", agent), "utf8"), mode: 0o755 }])),
            },
            divert: Object.values(STAND_IN_AGENTS), repo: this.repo,
        }, this.work, this.spool, this.prefix);
        this.machines.set(name, m);
        this.controller!.servers.set(serverId, name);
        if (!this.nodeNames.includes(name)) this.nodeNames = [...this.nodeNames, name].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
        this.nodeCount++;
        await m.create(newPorts);
        return m;
    }

    /** A new server of `plan` (a grown cluster): created on a new port, booted. */
    async addServer(name: string, plan: LabPlan): Promise<void> {
        if (this.machines.has(name)) throw new Error(`${name} exists`);
        await (await this.createNode(name, plan, plan.mockIds[name], true)).boot();
    }

    /** Nova's replacement of `name` (delete first: the same port): powered off, forgotten, a new server with a new id and a blank disk, booted. */
    async replaceServer(name: string, plan: LabPlan): Promise<string> {
        const old = this.machines.get(name);
        if (!old) throw new Error(`no server ${name}`);
        await old.powerOff();
        this.removed.push(old);
        for (const [id, n] of this.controller!.servers) if (n === name) this.controller!.servers.delete(id);
        if (this.controller!.volume.attachedTo === name) this.controller!.volume.attachedTo = undefined;
        const id = randomUUID();
        this.realIds[plan.mockIds[name]] = id;
        this.machines.delete(name);
        await (await this.createNode(name, plan, id, false)).boot();
        return id;
    }

    /** Nova's deletion of a server (a cluster that shrank): powered off and forgotten; its port goes with it. */
    async removeServer(name: string): Promise<void> {
        const m = this.machines.get(name);
        if (!m) throw new Error(`no server ${name}`);
        await m.powerOff();
        for (const [id, n] of this.controller!.servers) if (n === name) this.controller!.servers.delete(id);
        this.machines.delete(name);
        this.removed.push(m);
        this.nodeNames = this.nodeNames.filter((n) => n !== name);
    }

    /** The plan's remote commands, with the servers' real ids. */
    steps(plan: LabPlan): RemoteStep[] {
        return plan.steps(this.realIds);
    }

    /** Node's `cloud-init status --long` once cloud-init is done, and the seconds from power on. */
    async waitCloudInit(name: string, timeoutMs = 600000): Promise<{ status: string; code: number; seconds: number; log: string }> {
        const m = this.machines.get(name)!;
        const r = await m.exec(["cloud-init", "status", "--wait", "--long"], timeoutMs);
        const seconds = (Date.now() - m.bootedAtMs) / 1000;
        const log = await m.exec(["sh", "-c", "grep -E 'WARNING|ERROR|Traceback' /var/log/cloud-init.log; tail -n 40 /var/log/cloud-init-output.log"]);
        return { status: r.stdout + r.stderr, code: r.code, seconds, log: log.stdout };
    }

    /** The route to a machine through the bastion. */
    route(host: string): SshRoute {
        const bastion = OUTSIDE.bastion;
        if (host === this.bastionName) return { configFile: this.sshConfigFile, user: SSH_USER, bastion, host: bastion };
        const address = this.addresses[host] ?? (/^(\d+\.){3}\d+$/.test(host) ? host : undefined);
        if (!address) throw new Error(`no address for ${host}`);
        return { configFile: this.sshConfigFile, user: SSH_USER, bastion, host: address };
    }

    /** Runs a command once, from the operator namespace through the bastion. */
    ssh(host: string, command: string, stdin?: string, timeoutMs = 900000): ReturnType<typeof sshRun> {
        return sshRun(`${this.prefix}-op`, this.route(host), command, stdin, timeoutMs);
    }

    /**
     * Runs a command as Pulumi's remote.Command would: connection failures are retried (the
     * provider's dialErrorLimit, 60) and recorded with the ssh logs of the bastion and the target.
     */
    async remote(host: string, command: string, stdin?: string): Promise<Awaited<ReturnType<typeof sshRun>> & { dialErrors: string[] }> {
        const dialErrors: string[] = [];
        for (;;) {
            const r = await this.ssh(host, command, stdin);
            if (r.code !== 255) return { ...r, dialErrors };
            const logs = await Promise.all([this.bastionName, host].map(async (m) =>
                `${m}: ${(await this.machines.get(m)?.exec(["sh", "-c", "journalctl -n 25 --no-pager -o short-precise; ip -4 neigh; uptime"]))?.stdout.trim() ?? "?"}`));
            const note = `${new Date().toISOString()} exit 255: ${r.stderr.trim() || "(no message)"}\n${logs.join("\n")}`;
            if (!isDialError(r) || dialErrors.length >= 59) return { ...r, stderr: `${r.stderr}\n[lab] ${note}`, dialErrors };
            dialErrors.push(note);
            this.log(`ssh to ${host}: ${r.stderr.trim()} (retrying, as Pulumi's provider does)`);
            await sleep(1000);
        }
    }

    /** Waits until sshd of `host` answers through the bastion. */
    async waitSsh(host: string, timeoutMs = 600000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        let last = "";
        while (Date.now() < deadline) {
            const r = await this.ssh(host, "true", undefined, 30000);
            if (r.code === 0) return;
            last = r.stderr.trim();
            await sleep(1000);
        }
        throw new Error(`ssh to ${host} never answered: ${last}`);
    }

    /** Runs remote commands of `plan` in order; a command whose dependency failed is not run (as Pulumi). */
    async runSteps(plan: LabPlan, steps: readonly RemoteStep[], onResult?: (r: StepResult) => void): Promise<StepResult[]> {
        const results: StepResult[] = [];
        const failed = new Set<string>();
        for (const step of steps) {
            const blocked = step.after.filter((a) => failed.has(a));
            let result: StepResult;
            if (blocked.length > 0) {
                failed.add(step.name);
                result = { name: step.name, node: step.node, code: null, stdout: "", stderr: "", seconds: 0, skipped: `dependency failed: ${blocked.join(", ")}` };
            } else {
                const t = Date.now();
                const r = await this.remote(step.node, step.create, plan.stdinOf(step, this.secrets!));
                if (r.code !== 0) failed.add(step.name);
                result = { name: step.name, node: step.node, code: r.code, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t) / 1000, ...(r.dialErrors.length ? { dialErrors: r.dialErrors } : {}) };
            }
            results.push(result);
            onResult?.(result);
        }
        return results;
    }

    /** Runs a command in the operator's namespace (the bastion is its only way in). */
    operatorExec(argv: readonly string[], timeoutMs = 120000): ReturnType<typeof run> {
        return run("ip", ["netns", "exec", `${this.prefix}-op`, ...argv], timeoutMs);
    }

    /** Runs a command in the switch namespace (the platform network, as a client of the database). */
    clientExec(argv: readonly string[], timeoutMs = 30000): ReturnType<typeof run> {
        return run("ip", ["netns", "exec", `${this.prefix}-sw`, ...argv], timeoutMs);
    }

    /** Starts a long-running process in the switch namespace, stopped by {@link down}. */
    spawnClient(argv: readonly string[], out: string): ChildProcess {
        const fd = fs.openSync(out, "a");
        const p = spawn("ip", ["netns", "exec", `${this.prefix}-sw`, ...argv], { stdio: ["ignore", fd, fd], detached: true });
        fs.closeSync(fd);
        p.on("error", (e) => this.log(`${argv[0]}: ${e.message}`));
        this.procs.push(p);
        return p;
    }

    /** A busy loop on the host (the drill under CPU load), stopped by {@link down}. */
    spawnLoad(): ChildProcess {
        const p = spawn("sh", ["-c", "while :; do :; done"], { stdio: "ignore", detached: true });
        this.procs.push(p);
        return p;
    }

    private startMirrorRelay(): void {
        const sock = path.join(this.work, "mirror.sock");
        const host = spawn("socat", [`UNIX-LISTEN:${sock},fork,mode=600`, "TCP:deb.debian.org:80"], { stdio: "ignore" });
        const sw = spawn("ip", ["netns", "exec", `${this.prefix}-sw`, "socat", `TCP-LISTEN:3142,bind=${PLATFORM.gateway},reuseaddr,fork`, `UNIX-CONNECT:${sock}`], { stdio: "ignore" });
        for (const p of [host, sw]) p.on("error", (e) => this.log(`mirror relay: ${e.message}`));
        this.procs.push(host, sw);
    }

    /** Stops and removes everything (also after a failed {@link up}); safe to call twice. */
    async down(): Promise<void> {
        NodesLab.active.delete(this);
        this.controller?.stop();
        await Promise.all([...this.machines.values()].map((m) => m.powerOff().catch((e: Error) => this.log(e.message))));
        for (const p of this.procs) killGroup(p.pid);
        for (const p of this.procs) kill(p.pid);
        for (let i = 0; i < 100 && this.procs.some((p) => alive(p.pid)); i++) await sleep(20);
        await run(NET, ["down", this.prefix]);
        if (this.loop) await run("losetup", ["-d", this.loop]);
        this.loop = undefined;
        fs.rmSync(this.work, { recursive: true, force: true });
        if (this.locked) releaseLabLock();
        this.locked = false;
    }

    /** Anything of this lab still present: processes, namespaces, mounts, loop devices, veths, work folder, lock. */
    async leftovers(): Promise<string[]> {
        const left: string[] = [];
        const ns = (await run(NET, ["list", this.prefix])).stdout.trim();
        if (ns) left.push(`network namespaces: ${ns.replace(/\n/g, " ")}`);
        for (const m of [...this.machines.values(), ...this.removed]) for (const pid of m.livePids()) left.push(`process ${pid} (${m.spec.name})`);
        for (const p of this.procs) if (alive(p.pid)) left.push(`process ${p.pid} (${p.spawnargs.slice(0, 5).join(" ")})`);
        const loops = (await run("losetup", ["-n", "-O", "NAME,BACK-FILE", "-l"])).stdout;
        if (loops.includes(this.work)) left.push(`loop device over ${this.work}`);
        if (fs.readFileSync("/proc/self/mounts", "utf8").includes(this.work)) left.push("host mounts of the lab");
        const links = (await run("ip", ["-o", "link", "show"])).stdout;
        for (const m of this.machines.values()) if (links.includes(`${this.prefix}-${m.spec.name}`)) left.push(`veth of ${m.spec.name} in the host`);
        if (fs.existsSync(this.work)) left.push(this.work);
        if (holdsLabLock()) left.push("the lab lock");
        return left;
    }
}

/** A machine's MAC address (Neutron's fa:16:3e prefix). */
function mac(i: number): string {
    return `fa:16:3e:00:${(0x10 + i).toString(16)}:00`;
}
