/**
 * The machine lab: a database cluster's nodes and a bastion booted like cloud servers from the
 * offline plan's own artefacts (plan.json, artifacts/cloud-init/<node>.yaml,
 * artifacts/ssh/<node>.json), on systemd-nspawn machines, and the plan's remote commands run
 * through the bastion as Pulumi would run them. See lab/machines/README.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ChildProcess, spawn } from "node:child_process";
import { CloudController, createBlankVolume } from "./controller";
import { ensureImages, Images } from "./images";
import { Machine, MachineSpec } from "./machine";
import { PlanResource, RemoteStep, pcmkHostMap, planNodes, remoteSteps, volumeIdOf } from "./plan";
import { LabSecrets, PayloadFile, makeLabSecrets, substituteSecrets } from "./secrets";
import { SshRoute, isDialError, makeSshKey, sshRun } from "./ssh";
import { alive, holdsLabLock, kill, must, releaseLabLock, run, sleep, takeLabLock } from "./proc";
import { advertisedAddress, hashicorpPins, labUserData, noCloudMetaData, noCloudNetworkConfig, userDataPackages } from "./userData";

const HERE = __dirname;
const NET = path.join(HERE, "net.sh");
const WORK_BASE = "/var/tmp/cloud-dbaas-nodes-";
/** The plan's platform subnet (stacks/contract.ts placeholders): the lab's br0 carries it. */
export const PLATFORM = { prefixLen: 24, gateway: "10.42.0.1", bastion: "10.42.0.5", serviceIp: "10.42.0.250" };
/** The lab's outside (never the host's 192.0.2.0/24): the bastion's public address, the operator. */
export const OUTSIDE = { prefixLen: 24, operator: "198.51.100.1", bastion: "198.51.100.10" };
/** The production agents the lab replaces (dpkg-divert) by its stand-ins of lab/machines/agents/. */
export const STAND_IN_AGENTS: Readonly<Record<string, string>> = {
    "openstack-cinder-volume": "/usr/lib/ocf/resource.d/heartbeat/openstack-cinder-volume",
    "openstack-info": "/usr/lib/ocf/resource.d/heartbeat/openstack-info",
    "openstack-floating-ip": "/usr/lib/ocf/resource.d/heartbeat/openstack-floating-ip",
    fence_openstack: "/usr/sbin/fence_openstack",
};
/** The connection user (the Debian cloud image's default user; the control plane's sshUser). */
export const SSH_USER = "debian";

/** Options of {@link NodesLab}. */
export interface NodesLabOptions {
    /** Output folder of `npm run render -- --config <database stack>`. */
    readonly planDir: string;
    /** The bastion's user data (the control plane's offline plan: artifacts/cloud-init/<bastion>.yaml). */
    readonly bastionUserDataFile: string;
    /** Progress messages. */
    readonly log?: (msg: string) => void;
    /** How long to wait for another lab (default 20 min). */
    readonly lockWaitMs?: number;
}

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
    /** Node host names in plan order. */
    nodeNames: string[] = [];
    /** The plan's remote commands, in order. */
    steps: RemoteStep[] = [];
    /** Images used. */
    images?: Images;
    /** The cloud stand-in. */
    controller?: CloudController;
    /** The lab's secrets. */
    secrets?: LabSecrets;
    private readonly log: (m: string) => void;
    private readonly procs: ChildProcess[] = [];
    private sshConfigFile = "";
    private loop?: string;
    private locked = false;
    private addresses: Record<string, string> = {};

    constructor(private readonly opts: NodesLabOptions) {
        this.log = opts.log ?? (() => undefined);
        this.work = fs.mkdtempSync(`${WORK_BASE}${process.pid}-`);
        NodesLab.active.add(this);
    }

    private artefact(rel: string): string {
        return fs.readFileSync(path.join(this.opts.planDir, rel), "utf8");
    }

    /** Builds images (cached), network, volume and machines, and boots every machine. */
    async up(): Promise<void> {
        if (!process.getuid || process.getuid() !== 0) throw new Error("the machine lab needs root");
        await takeLabLock(this.opts.lockWaitMs ?? 20 * 60000, this.log);
        this.locked = true;
        await reapDead(this.log);
        const resources = (JSON.parse(this.artefact("plan.json")) as { resources: PlanResource[] }).resources;
        this.steps = remoteSteps(resources);
        this.nodeNames = planNodes(resources).map((n) => n.hostname);
        const userData = Object.fromEntries(this.nodeNames.map((n) => [n, this.artefact(`artifacts/cloud-init/${n}.yaml`)]));
        const bastionUserData = fs.readFileSync(this.opts.bastionUserDataFile, "utf8");
        this.bastionName = /^hostname: (\S+)$/m.exec(bastionUserData)?.[1] ?? "bastion";
        const configure = this.steps.find((s) => s.name.endsWith("-configure"));
        if (!configure) throw new Error("no configure command in the plan");
        const servers = Object.fromEntries(Object.entries(pcmkHostMap(configure.create)).map(([n, id]) => [id, n]));
        const serverId = (n: string) => Object.entries(servers).find(([, name]) => name === n)?.[0] ?? `00000000-0000-4000-8000-${"0".repeat(12)}`;

        this.images = await ensureImages(userDataPackages(bastionUserData), this.nodeNames.flatMap((n) => userDataPackages(userData[n])), this.log);
        const pins = hashicorpPins(userData[this.nodeNames[0]]);
        const repo = path.join(this.work, "repo");
        await must(path.join(HERE, "stubs.sh"), ["repo", repo, pins.consul, pins.nomad, "bookworm"]);
        const key = fs.readFileSync(path.join(repo, "key.asc"), "utf8");
        const ssh = await makeSshKey(this.work, (c, a) => run(c, a));
        this.sshConfigFile = ssh.configFile;
        const addresses = Object.fromEntries(this.nodeNames.map((n) => [n, advertisedAddress(userData[n])]));
        this.addresses = addresses;
        this.secrets = makeLabSecrets(this.nodeNames.map((n) => ({ hostname: n, address: addresses[n] })));

        await must(NET, ["switch-up", this.prefix, `${PLATFORM.gateway}/${PLATFORM.prefixLen}`]);
        await must(NET, ["operator-up", this.prefix, `${OUTSIDE.operator}/${OUTSIDE.prefixLen}`]);
        this.startMirrorRelay();
        const spool = path.join(this.work, "spool");
        fs.mkdirSync(spool, { recursive: true });
        this.loop = await createBlankVolume(path.join(this.work, "volume.img"), 2048);

        const mac = (i: number) => `fa:16:3e:00:${(0x10 + i).toString(16)}:00`;
        const base = (name: string, ud: string, ports: { ifname: string; cidr: string }[], i: number): MachineSpec["files"] => ({
            "var/lib/cloud/seed/nocloud/user-data": { content: ud, mode: 0o600 },
            "var/lib/cloud/seed/nocloud/meta-data": { content: noCloudMetaData(serverId(name), name, ssh.publicKey), mode: 0o600 },
            "var/lib/cloud/seed/nocloud/network-config": { content: noCloudNetworkConfig(ports), mode: 0o600 },
            "etc/apt/apt.conf.d/00cloud-dbaas-lab": { content: `// cloud-dbaas lab: the Debian mirror through the lab's relay (machine ${i}).\nAcquire::http::Proxy "http://${PLATFORM.gateway}:3142";\nAcquire::Check-Valid-Until "false";\n`, mode: 0o644 },
        });
        const bastionPorts = [{ ifname: "eth0", cidr: `${PLATFORM.bastion}/${PLATFORM.prefixLen}` }, { ifname: "eth1", cidr: `${OUTSIDE.bastion}/${OUTSIDE.prefixLen}` }];
        this.machines.set(this.bastionName, new Machine({
            name: this.bastionName, lowers: this.images.bastion, netns: `${this.prefix}-${this.bastionName}`,
            ports: [{ bridge: "br0", port: "b0", ifname: "eth0", mac: mac(0) }, { bridge: "br1", port: "b1", ifname: "eth1", mac: mac(1) }],
            files: base(this.bastionName, bastionUserData, bastionPorts, 0), divert: [],
        }, this.work, spool, this.prefix));
        const agentFiles: MachineSpec["files"] = {
            "usr/lib/cloud-dbaas-lab/lab-request": { content: fs.readFileSync(path.join(HERE, "agents", "lab-request"), "utf8"), mode: 0o755 },
            "etc/cloud-dbaas-lab/floating-ip.env": { content: `IP=${PLATFORM.serviceIp}\nNIC=eth0\nCIDR_NETMASK=${PLATFORM.prefixLen}\n`, mode: 0o644 },
            ...Object.fromEntries(Object.entries(STAND_IN_AGENTS).map(([agent, p]) => [p.slice(1), { content: fs.readFileSync(path.join(HERE, "agents", agent), "utf8"), mode: 0o755 }])),
        };
        this.nodeNames.forEach((n, i) => {
            const ports = [{ ifname: "eth0", cidr: `${addresses[n]}/${PLATFORM.prefixLen}` }];
            this.machines.set(n, new Machine({
                name: n, lowers: this.images!.node, netns: `${this.prefix}-${n}`,
                ports: [{ bridge: "br0", port: `n${i}`, ifname: "eth0", mac: mac(2 + i) }],
                files: { ...base(n, labUserData(userData[n], key), ports, 2 + i), ...agentFiles },
                divert: Object.values(STAND_IN_AGENTS), repo,
            }, this.work, spool, this.prefix));
        });
        this.controller = new CloudController(spool, this.machines, servers, { id: volumeIdOf(configure.create), loop: this.loop });
        this.controller.start();
        for (const m of this.machines.values()) await m.create();
        this.log(`boot ${[...this.machines.keys()].join(", ")}`);
        await Promise.all([...this.machines.values()].map((m) => m.boot()));
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
            // ssh's own failure, or the remote command killed by a signal: what did the machines log?
            const logs = await Promise.all([this.bastionName, host].map(async (m) =>
                `${m}: ${(await this.machines.get(m)?.exec(["sh", "-c", "journalctl -n 25 --no-pager -o short-precise; ip -4 neigh; uptime"]))?.stdout.trim() ?? "?"}`));
            const note = `${new Date().toISOString()} exit 255: ${r.stderr.trim() || "(no message)"}\n${logs.join("\n")}`;
            if (!isDialError(r) || dialErrors.length >= 59) return { ...r, stderr: `${r.stderr}\n[lab] ${note}`, dialErrors };
            dialErrors.push(note);
            this.log(`ssh to ${host}: ${r.stderr.trim()} (retrying, as Pulumi's provider does)`);
            await sleep(1000);
        }
    }

    /** Waits until sshd of `host` answers through the bastion (Pulumi's dial retries: 60 × 10 s). */
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

    /** The standard input the lab supplies for a step (its secrets substituted). */
    stdinOf(step: RemoteStep): string | undefined {
        switch (step.stdinKind) {
            case "none":
                return undefined;
            case "plain":
                return step.stdin;
            case "hacluster-password-line":
                return `${this.secrets!.hacluster}\n`;
            case "file-drop-payload": {
                const files = (JSON.parse(this.artefact(`artifacts/ssh/${step.node}.json`)) as { files: PayloadFile[] }).files;
                return JSON.stringify({ files: substituteSecrets(files, step.node, this.secrets!) });
            }
        }
    }

    /** Runs the plan's remote commands in order; a command whose dependency failed is not run (as Pulumi). */
    async runSteps(onResult?: (r: StepResult) => void): Promise<StepResult[]> {
        const results: StepResult[] = [];
        const failed = new Set<string>();
        for (const step of this.steps) {
            const blocked = step.after.filter((a) => failed.has(a));
            let result: StepResult;
            if (blocked.length > 0) {
                failed.add(step.name);
                result = { name: step.name, node: step.node, code: null, stdout: "", stderr: "", seconds: 0, skipped: `dependency failed: ${blocked.join(", ")}` };
            } else {
                const t = Date.now();
                const r = await this.remote(step.node, step.create, this.stdinOf(step));
                if (r.code !== 0) failed.add(step.name);
                result = { name: step.name, node: step.node, code: r.code, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t) / 1000, ...(r.dialErrors.length ? { dialErrors: r.dialErrors } : {}) };
            }
            results.push(result);
            onResult?.(result);
        }
        return results;
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
        for (const m of this.machines.values()) for (const pid of m.livePids()) left.push(`process ${pid} (${m.spec.name})`);
        for (const p of this.procs) if (alive(p.pid)) left.push(`process ${p.pid} (relay)`);
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

/** Removes what a killed machine lab left: namespaces "dbm<pid>x<n>-*" and work folders of dead pids, their loop devices. */
async function reapDead(log: (m: string) => void): Promise<void> {
    const dead = (pid: number) => pid !== process.pid && !alive(pid);
    for (const ns of (await run("ip", ["netns", "list"])).stdout.split("\n").map((l) => l.split(" ")[0])) {
        const m = /^dbm(\d+)x\d+-/.exec(ns);
        if (!m || !dead(Number(m[1]))) continue;
        log(`reaping ${ns} of dead lab ${m[1]}`);
        for (const pid of (await run("ip", ["netns", "pids", ns])).stdout.split(/\s+/).filter(Boolean)) kill(Number(pid));
        await sleep(500);
        await run("ip", ["netns", "del", ns]);
    }
    const loops = (await run("losetup", ["-n", "-O", "NAME,BACK-FILE", "-l"])).stdout.split("\n");
    for (const dir of fs.readdirSync(path.dirname(WORK_BASE))) {
        const m = new RegExp(`^${path.basename(WORK_BASE)}(\\d+)-`).exec(dir);
        if (!m || !dead(Number(m[1]))) continue;
        const full = path.join(path.dirname(WORK_BASE), dir);
        log(`reaping ${full} of dead lab ${m[1]}`);
        for (const l of loops) {
            const [dev, file] = l.trim().split(/\s+/);
            if (file?.startsWith(full + "/")) await run("losetup", ["-d", dev]);
        }
        // The host-side mirror relay lives in the host's namespace: found by its socket's path.
        for (const e of fs.readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
            try {
                if (fs.readFileSync(`/proc/${e}/cmdline`, "utf8").includes(full + "/")) kill(Number(e));
            } catch {
                /* gone */
            }
        }
        fs.rmSync(full, { recursive: true, force: true });
    }
}
