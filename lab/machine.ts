/**
 * One lab machine: a systemd-nspawn container booting the lab image (read-only layers) with
 * a disk of its own (an overlayfs upper folder, kept across power cycles), in its own network
 * namespace, with cloud-init's NoCloud seed. See boot.sh for how it is started.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PATH_ENV, RunResult, alive, kill, run, sleep } from "./proc";

const BOOT = path.join(__dirname, "boot.sh");
const NET = path.join(__dirname, "net.sh");

/** One network port of a machine. */
export interface PortSpec {
    /** Switch bridge (br0 platform, br1 outside). */
    readonly bridge: "br0" | "br1";
    /** Switch-side veth name (at most 15 characters). */
    readonly port: string;
    /** Interface name in the machine. */
    readonly ifname: string;
    /** MAC address (fa:16:3e:…, Neutron's prefix). */
    readonly mac: string;
}

/** What a machine is made of. */
export interface MachineSpec {
    /** Host name (= nspawn machine name). */
    readonly name: string;
    /** Image layers, top first. */
    readonly lowers: readonly string[];
    /** Network namespace name (/run/netns). */
    readonly netns: string;
    /** Its ports. */
    readonly ports: readonly PortSpec[];
    /** Files written into its root before the first boot: path → content and mode. */
    readonly files: Readonly<Record<string, { readonly content: string; readonly mode: number }>>;
    /** Packaged files replaced (dpkg-divert) by those of `files` before the first boot. */
    readonly divert: readonly string[];
    /** Host folder bound read-only at /srv/cloud-dbaas-lab/apt. */
    readonly repo?: string;
}

/** A machine and its power state. */
export class Machine {
    /** Work folder of this machine (disk, console log). */
    readonly dir: string;
    /** When the last boot started (ms since epoch). */
    bootedAtMs = 0;
    private nspawnPid?: number;
    private init?: number;

    constructor(readonly spec: MachineSpec, work: string, private readonly spool: string, private readonly prefix: string) {
        this.dir = path.join(work, "machines", spec.name);
    }

    /** Host PID of the machine's PID 1 (systemd), when running. */
    get initPid(): number | undefined {
        return alive(this.init) ? this.init : undefined;
    }

    /** The machine's console output so far. */
    get consoleLog(): string {
        return path.join(this.dir, "console.log");
    }

    /** Its disk as seen from the host (the overlay's upper folder: what the machine changed). */
    get disk(): string {
        return path.join(this.dir, "upper");
    }

    /**
     * Creates its disk folders (a blank disk: anything of a former machine of that name is
     * removed), the files of its first boot and, unless they exist (a replacement server on the
     * same Neutron port), its ports.
     */
    async create(ports = true): Promise<void> {
        fs.rmSync(this.dir, { recursive: true, force: true });
        for (const d of ["upper", "work", "root", "prep"]) fs.mkdirSync(path.join(this.dir, d), { recursive: true });
        for (const [file, { content, mode }] of Object.entries(this.spec.files)) {
            const dest = path.join(this.dir, "prep", file);
            fs.mkdirSync(path.dirname(dest), { recursive: true });
            fs.writeFileSync(dest, content, { mode });
            fs.chmodSync(dest, mode);
        }
        for (const p of ports ? this.spec.ports : []) {
            const r = await run(NET, ["port-add", this.prefix, this.spec.name, p.bridge, p.port, p.ifname, p.mac]);
            if (r.code !== 0) throw new Error(`${this.spec.name}: port ${p.port}: ${r.stderr}`);
        }
    }

    /** Powers on: boot.sh in a private mount namespace; resolves once its systemd runs. */
    async boot(): Promise<void> {
        if (this.initPid) return;
        const out = fs.openSync(this.consoleLog, "a");
        fs.writeSync(out, `\n===== cloud-dbaas lab: power on ${new Date().toISOString()} =====\n`);
        this.bootedAtMs = Date.now();
        const child = spawn("unshare", ["--mount", "--propagation", "private", BOOT], {
            env: {
                PATH: PATH_ENV,
                LANG: "C.UTF-8",
                LOWER: this.spec.lowers.join(":"),
                UPPER: path.join(this.dir, "upper"),
                WORKDIR: path.join(this.dir, "work"),
                ROOT: path.join(this.dir, "root"),
                NETNS: this.spec.netns,
                MACHINE: this.spec.name,
                SPOOL: this.spool,
                PREP: path.join(this.dir, "prep"),
                DIVERT: this.spec.divert.join(" "),
                REPO: this.spec.repo ?? "",
            },
            stdio: ["ignore", out, out],
            detached: true,
        });
        fs.closeSync(out);
        child.on("error", () => undefined);
        this.nspawnPid = child.pid;
        this.init = undefined;
        const deadline = Date.now() + 60000;
        while (!this.init && Date.now() < deadline) {
            if (!alive(this.nspawnPid)) throw new Error(`${this.spec.name}: systemd-nspawn exited; see ${this.consoleLog}`);
            this.init = findInit(this.nspawnPid!);
            if (!this.init) await sleep(50);
        }
        if (!this.init) throw new Error(`${this.spec.name}: no PID 1 after 60 s`);
    }

    /** Powers off hard (a fence): SIGKILL to its PID 1 kills every process of it, hence its mounts; its ports go silent. */
    async powerOff(): Promise<void> {
        kill(this.init);
        kill(this.nspawnPid);
        for (let i = 0; i < 400 && (alive(this.init) || alive(this.nspawnPid)); i++) await sleep(25);
        if (alive(this.init) || alive(this.nspawnPid)) throw new Error(`${this.spec.name}: still running after SIGKILL`);
        this.init = undefined;
        await run(NET, ["silence", this.prefix, this.spec.name]);
    }

    /** Runs a command inside the machine (all its namespaces), bounded in time. */
    exec(argv: readonly string[], timeoutMs = 30000): Promise<RunResult> {
        const pid = this.initPid;
        if (!pid) return Promise.resolve({ code: 255, stdout: "", stderr: `${this.spec.name} is off` });
        return run("nsenter", ["-t", String(pid), "-m", "-u", "-i", "-n", "-p", "--", "/usr/bin/env", `PATH=${PATH_ENV}`, "LANG=C.UTF-8", ...argv], timeoutMs, {});
    }

    /** PIDs still recorded as running (for leftovers checks). */
    livePids(): number[] {
        return [this.init, this.nspawnPid].filter((p): p is number => alive(p));
    }
}

/** The host PID of the PID-namespace init among the children of `parent` (NSpid ends in 1). */
function findInit(parent: number): number | undefined {
    for (const e of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(e)) continue;
        try {
            const status = fs.readFileSync(`/proc/${e}/status`, "utf8");
            const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1];
            const nspid = /^NSpid:\s+(.+)$/m.exec(status)?.[1].trim().split(/\s+/);
            if (Number(ppid) === parent && nspid && nspid.length > 1 && nspid[nspid.length - 1] === "1") return Number(e);
        } catch {
            /* gone */
        }
    }
    return undefined;
}
