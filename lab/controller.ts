/**
 * The lab's stand-in for the cloud APIs the cluster's agents call: Cinder attach/detach of the
 * data volume and Nova power off/on. The agents (lab/agents/, installed in the nodes
 * under the production agents' names) write a request into the spool folder bound into every
 * machine; the controller answers it (polled every 100 ms) and logs every request.
 *
 * The volume is a sparse file on a loop device with no file system (a new Cinder volume is
 * blank). Attaching it to a node makes the device appear in that machine's /dev as /dev/vdb with
 * the udev link a KVM guest gets, /dev/disk/by-id/virtio-<first 20 characters of the volume id>
 * (mknod + symlink in the machine's mount namespace); detaching removes both. Like Cinder, it is
 * attached to one server at a time: an attach while attached elsewhere first detaches it there
 * (what the packaged agent's start does through the API).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Machine } from "./machine";
import { run } from "./proc";

/** One handled request. */
export interface ControllerEvent {
    /** When it arrived (ms since epoch). */
    readonly atMs: number;
    /** The request line. */
    readonly request: string;
    /** The answer ("ok", "off", "fail …"). */
    readonly answer: string;
    /** When it was answered (ms since epoch). */
    readonly doneMs: number;
}

/** Where the volume is and who has it. */
export interface VolumeState {
    /** Cinder volume id (from the generated configuration). */
    readonly id: string;
    /** Loop device on the host. */
    readonly loop: string;
    /** Host name of the machine it is attached to. */
    attachedTo?: string;
}

/** The in-machine device of the volume (pure). */
export function volumeDevicePaths(volumeId: string): { node: string; link: string; target: string } {
    return { node: "/dev/vdb", link: `/dev/disk/by-id/virtio-${volumeId.slice(0, 20)}`, target: "../../vdb" };
}

/** Serves the agents' requests. */
export class CloudController {
    /** Every request handled, in order. */
    readonly events: ControllerEvent[] = [];
    private timer?: NodeJS.Timeout;
    private readonly busy = new Set<string>();

    /**
     * @param spool the host folder bound into every machine
     * @param machines by host name
     * @param servers Nova server id → host name (updated when a server is replaced)
     * @param volume the data volume
     * @param bootDelayMs delay between a power "on" and the boot (a real boot is not instant)
     */
    constructor(
        private readonly spool: string,
        private readonly machines: ReadonlyMap<string, Machine>,
        readonly servers: Map<string, string>,
        readonly volume: VolumeState,
        private readonly bootDelayMs = 3000,
    ) {
        for (const d of ["req", "done"]) fs.mkdirSync(path.join(spool, d), { recursive: true });
    }

    /** Starts polling the spool. */
    start(): void {
        this.timer = setInterval(() => this.poll(), 100);
    }

    /** Stops polling. */
    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }

    private poll(): void {
        let ids: string[] = [];
        try {
            ids = fs.readdirSync(path.join(this.spool, "req")).filter((f) => !f.startsWith("."));
        } catch {
            return;
        }
        for (const id of ids) {
            if (this.busy.has(id)) continue;
            this.busy.add(id);
            const file = path.join(this.spool, "req", id);
            const request = fs.readFileSync(file, "utf8").trim();
            fs.rmSync(file, { force: true });
            const atMs = Date.now();
            this.handle(request.split(/\s+/)).then(
                (answer) => this.answer(id, atMs, request, answer),
                (e: Error) => this.answer(id, atMs, request, `fail ${e.message}`),
            );
        }
    }

    private answer(id: string, atMs: number, request: string, answer: string): void {
        this.events.push({ atMs, request, answer, doneMs: Date.now() });
        const tmp = path.join(this.spool, "done", `.${id}`);
        fs.writeFileSync(tmp, `${answer}\n`);
        fs.renameSync(tmp, path.join(this.spool, "done", id));
        this.busy.delete(id);
    }

    private machine(plugOrName: string): Machine {
        const name = this.servers.get(plugOrName);
        if (name === undefined) throw new Error(`no such server ${plugOrName}`);
        const m = this.machines.get(name);
        if (!m) throw new Error(`no such server ${plugOrName}`);
        return m;
    }

    private async handle([op, a, b]: string[]): Promise<string> {
        switch (op) {
            case "attach": {
                if (a !== this.volume.id) return `fail no volume ${a}`;
                const m = this.machine(b);
                if (this.volume.attachedTo === m.spec.name) return "ok";
                if (this.volume.attachedTo) await this.detach(this.volume.attachedTo);
                await this.attach(m);
                return "ok";
            }
            case "detach": {
                if (a !== this.volume.id) return `fail no volume ${a}`;
                const m = this.machine(b);
                if (this.volume.attachedTo === m.spec.name) await this.detach(m.spec.name);
                return "ok";
            }
            case "off":
                await this.machine(a).powerOff();
                return "ok";
            case "on": {
                const m = this.machine(a);
                setTimeout(() => void m.boot().catch(() => undefined), this.bootDelayMs);
                return "ok";
            }
            case "status":
                return this.machine(a).initPid ? "ok" : "off";
            default:
                return `fail unknown request ${op}`;
        }
    }

    private async attach(m: Machine): Promise<void> {
        const st = fs.statSync(this.volume.loop);
        const major = Math.floor(st.rdev / 256) & 0xfff;
        const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
        const d = volumeDevicePaths(this.volume.id);
        const script = `set -e; rm -f ${d.node}; mknod -m 0660 ${d.node} b ${major} ${minor}; chgrp disk ${d.node}; mkdir -p ${path.dirname(d.link)}; ln -sfn ${d.target} ${d.link}`;
        const r = await m.exec(["sh", "-c", script]);
        if (r.code !== 0) throw new Error(`attach to ${m.spec.name}: ${r.stderr.trim()}`);
        this.volume.attachedTo = m.spec.name;
    }

    private async detach(name: string): Promise<void> {
        const m = this.machines.get(name);
        const d = volumeDevicePaths(this.volume.id);
        // A powered-off server's attachment is only an API record: nothing to remove in it.
        if (m?.initPid) {
            const r = await m.exec(["rm", "-f", d.link, d.node]);
            if (r.code !== 0) throw new Error(`detach from ${name}: ${r.stderr.trim()}`);
        }
        this.volume.attachedTo = undefined;
    }
}

/** Creates the blank volume: a sparse file of `sizeMb` on a loop device, no file system. */
export async function createBlankVolume(file: string, sizeMb: number): Promise<string> {
    fs.writeFileSync(file, "");
    fs.truncateSync(file, sizeMb * 1024 * 1024);
    const r = await run("losetup", ["--find", "--show", file]);
    if (r.code !== 0) throw new Error(`losetup: ${r.stderr}`);
    return r.stdout.trim();
}
