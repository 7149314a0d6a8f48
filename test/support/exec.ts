/** Runs a real tool and returns what it said; never throws on a non-zero exit. */
import { spawnSync } from "child_process";

/** A finished process. */
export interface Ran {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs `cmd args…` (optionally with standard input) and waits for it. */
export function run(cmd: string, args: readonly string[], options: { input?: string; cwd?: string; timeoutMs?: number } = {}): Ran {
    const r = spawnSync(cmd, args, { input: options.input, cwd: options.cwd, encoding: "utf8", timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Where a tool is, or fails the test with how to install it (tests never skip). */
export function requireTool(tool: string, debianPackage: string): void {
    const r = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${tool} is missing: apt-get install ${debianPackage} (scripts/test.sh installs it)`);
}
