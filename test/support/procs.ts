/**
 * Long-running processes the tests start themselves (Swift, memcached, database servers):
 * started with their output in a log file, stopped by their own PID (TERM, then KILL), and
 * checked gone. Never a kill by name.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";

/** A process started by a test. */
export interface Started {
    readonly name: string;
    readonly child: ChildProcess;
    readonly log: string;
}

/** Starts `cmd args…` (as `user` when given) with stdout and stderr appended to `log`; fails if it cannot be spawned. */
export function startProcess(name: string, cmd: string, args: readonly string[], log: string, env?: NodeJS.ProcessEnv, user?: { uid: number; gid: number }): Started {
    const fd = fs.openSync(log, "a");
    try {
        const child = spawn(cmd, args, { stdio: ["ignore", fd, fd], env: env ?? process.env, ...user });
        child.on("error", () => undefined);
        if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
        return { name, child, log };
    } finally {
        fs.closeSync(fd);
    }
}

/** Whether the process has exited. */
export function exited(p: Started): boolean {
    return p.child.exitCode !== null || p.child.signalCode !== null;
}

/** Stops a process by its PID: TERM, then KILL after `graceMs`; resolves once it is gone. */
export async function stopProcess(p: Started, graceMs = 10_000): Promise<void> {
    if (exited(p)) return;
    const gone = new Promise<void>((resolve) => p.child.once("exit", () => resolve()));
    p.child.kill("SIGTERM");
    const timer = setTimeout(() => { if (!exited(p)) p.child.kill("SIGKILL"); }, graceMs);
    await gone;
    clearTimeout(timer);
}

/** The last lines of a log, for an error message. */
export function tail(log: string, lines = 20): string {
    try {
        return fs.readFileSync(log, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "";
    }
}

/** A TCP port free on 127.0.0.1 right now (the kernel picks it). */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const addr = srv.address();
            const port = typeof addr === "object" && addr ? addr.port : 0;
            srv.close(() => resolve(port));
        });
    });
}

/** Polls `check` every 100 ms until it returns true; throws `what` (with the logs) after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, procs: readonly Started[] = []): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const dead = procs.find(exited);
        if (dead) throw new Error(`${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}) while waiting for ${what}:\n${tail(dead.log)}`);
        if (await check()) return;
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}:\n${procs.map((p) => `--- ${p.name}\n${tail(p.log)}`).join("\n")}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}
