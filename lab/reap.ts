/**
 * What a killed lab left behind (SIGKILL, a crashed test runner), removed by the next lab under
 * the lock: namespaces "dbm<pid>x<n>-*" and work folders of dead processes, their loop devices
 * and the host side of their mirror relay.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { alive, kill, run, sleep } from "./proc";

/** Work folders: WORK_BASE + "<pid>-XXXXXX" (the pid tells a later lab whether its owner is dead). */
export const WORK_BASE = "/var/tmp/cloud-dbaas-nodes-";

/** Removes the leftovers of labs whose process is dead. */
export async function reapDead(log: (m: string) => void): Promise<void> {
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
