/**
 * Process helpers of the lab: bounded command runs, liveness by PID, the machine-wide lab lock
 * (one lab or drill at a time on a machine: the file holds the holder's PID, created O_EXCL; a
 * dead holder's lock is taken over — the protocol every lab of this project has used).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The machine-wide lab lock. */
export const LOCK_FILE = "/run/lock/cloud-dbaas-drill.lock";

/** The result of a command. */
export interface RunResult {
    /** Exit code (124: killed at the timeout). */
    code: number;
    /** Standard output. */
    stdout: string;
    /** Standard error. */
    stderr: string;
}

/** PATH of every command the lab runs. */
export const PATH_ENV = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Runs a command (no shell), bounded in time; never throws on a non-zero exit. */
export function run(cmd: string, args: readonly string[], timeoutMs = 60000, env?: NodeJS.ProcessEnv): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile(cmd, [...args], { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 << 20, env: { ...process.env, PATH: PATH_ENV, ...env } }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 124) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

/** Like {@link run}, but throws with the output on a non-zero exit. */
export async function must(cmd: string, args: readonly string[], timeoutMs = 60000, env?: NodeJS.ProcessEnv): Promise<string> {
    const r = await run(cmd, args, timeoutMs, env);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}: ${(r.stderr.trim() || r.stdout.trim()).slice(-4000)}`);
    return r.stdout;
}

/** Sleeps. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether a process lives (a zombie does not). */
export function alive(pid: number | undefined): boolean {
    if (!pid) return false;
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
    } catch {
        return false;
    }
}

/** SIGKILLs a process if it lives. */
export function kill(pid: number | undefined, signal: NodeJS.Signals = "SIGKILL"): void {
    if (!alive(pid)) return;
    try {
        process.kill(pid!, signal);
    } catch {
        /* gone meanwhile */
    }
}

/** SIGKILLs the process group a detached child of ours leads (the child and what it started). */
export function killGroup(pid: number | undefined): void {
    if (!pid) return;
    try {
        process.kill(-pid, "SIGKILL");
    } catch {
        /* gone */
    }
}

/** Takes the machine-wide lab lock (PID file, O_EXCL; a dead holder's lock is taken over). */
export async function takeLabLock(waitMs: number, log: (m: string) => void): Promise<void> {
    const deadline = Date.now() + waitMs;
    fs.mkdirSync(path.dirname(LOCK_FILE), { recursive: true });
    let said = false;
    for (;;) {
        try {
            fs.writeFileSync(LOCK_FILE, `${process.pid}\n`, { flag: "wx" });
            return;
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        let holder = 0;
        try {
            holder = Number(fs.readFileSync(LOCK_FILE, "utf8").trim());
        } catch {
            continue;
        }
        if (holder !== process.pid && !alive(holder)) {
            log(`taking over the lab lock of dead process ${holder}`);
            fs.rmSync(LOCK_FILE, { force: true });
            continue;
        }
        if (Date.now() > deadline) throw new Error(`another lab (process ${holder}) still runs: ${LOCK_FILE}`);
        if (!said) log(`waiting for the lab of process ${holder} (${LOCK_FILE})`);
        said = true;
        await sleep(2000);
    }
}

/** Releases the lab lock if this process holds it. */
export function releaseLabLock(): void {
    try {
        if (Number(fs.readFileSync(LOCK_FILE, "utf8").trim()) === process.pid) fs.rmSync(LOCK_FILE, { force: true });
    } catch {
        /* not held */
    }
}

/** Whether this process holds the lab lock. */
export function holdsLabLock(): boolean {
    try {
        return Number(fs.readFileSync(LOCK_FILE, "utf8").trim()) === process.pid;
    } catch {
        return false;
    }
}
