/**
 * Runs the backup and restore scripts as the Nomad jobs will: one temporary directory stands
 * in for the allocation (`alloc/` shared, and per task `local/` with its scripts and
 * `secrets/` with the rendered rclone.conf), the job's environment variables, and per image:
 * - the rclone/rclone tasks run under busybox `sh` with a PATH holding only busybox applets and
 *   Debian's rclone (what the Alpine-based official image offers);
 * - the engine tasks run under bash with the system PATH (Debian, like the official images),
 *   with the engine's client tools first.
 * Like Nomad ("sibling task failed"), when one task of the backup group fails the other is
 * killed.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ENV, SCRIPT_FILES } from "../../backups/contract";
import { requireTool } from "./exec";

/** Applets of the rclone image's busybox the scripts may use. */
const BUSYBOX_APPLETS = ["sh", "awk", "sort", "tee", "sha256sum", "wc", "mkfifo", "sleep", "cat", "rm", "mv", "cut", "tr", "date", "dirname", "mkdir", "printf", "touch", "mktemp", "head", "stat", "echo", "test", "[", "cp", "chmod", "grep", "tail"];

/** A finished task. */
export interface TaskRun {
    readonly task: string;
    readonly code: number | null;
    readonly stderr: string;
    readonly stdout: string;
    /** When each stderr line arrived (ms since the epoch): for the bench's phase timings. */
    readonly stderrTimes: ReadonlyArray<{ readonly at: number; readonly line: string }>;
}

/** One simulated allocation. */
export interface Alloc {
    readonly dir: string;
    readonly allocDir: string;
    /** Writes a task's files into its `local/` and its rclone.conf into `secrets/`; returns the task dir. */
    task(name: string, files: Readonly<Record<string, string>>, rcloneConf?: string): string;
    remove(): void;
}

/** A new allocation directory. */
export function newAlloc(): Alloc {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alloc-"));
    const allocDir = path.join(dir, "alloc");
    fs.mkdirSync(allocDir);
    return {
        dir, allocDir,
        task(name, files, rcloneConf) {
            const t = path.join(dir, name);
            fs.mkdirSync(path.join(t, "local"), { recursive: true });
            fs.mkdirSync(path.join(t, "secrets"), { recursive: true, mode: 0o700 });
            for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(t, "local", f), text, { mode: 0o755 });
            if (rcloneConf !== undefined) fs.writeFileSync(path.join(t, "secrets", "rclone.conf"), rcloneConf, { mode: 0o600 });
            return t;
        },
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

let busyboxBin: string | undefined;

/** A directory of busybox applet links plus rclone: the rclone image's PATH. */
export function rcloneImagePath(): string {
    if (busyboxBin && fs.existsSync(busyboxBin)) return busyboxBin;
    requireTool("busybox", "busybox");
    requireTool("rclone", "rclone");
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "rclone-image-bin-"));
    const busybox = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).stdout.trim();
    for (const a of BUSYBOX_APPLETS) fs.symlinkSync(busybox, path.join(bin, a));
    fs.symlinkSync(spawnSync("sh", ["-c", "command -v rclone"], { encoding: "utf8" }).stdout.trim(), path.join(bin, "rclone"));
    process.once("exit", () => fs.rmSync(bin, { recursive: true, force: true }));
    busyboxBin = bin;
    return bin;
}

/** The environment a task gets: the job's variables, Nomad's, and the image's PATH. */
export function taskEnv(alloc: Alloc, taskDir: string, image: "rclone" | "engine", jobEnv: Readonly<Record<string, string>>, enginePath: string[] = []): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
        [ENV.allocDir]: alloc.allocDir, NOMAD_TASK_DIR: path.join(taskDir, "local"), NOMAD_SECRETS_DIR: path.join(taskDir, "secrets"),
        HOME: taskDir, LANG: "C.UTF-8", TZ: "UTC",
        PATH: image === "rclone" ? rcloneImagePath() : [...enginePath, "/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"].join(":"),
        ...jobEnv,
    };
    if (image === "rclone") env[ENV.rcloneConfig] = path.join(taskDir, "secrets", "rclone.conf");
    return env;
}

/** Runs one task's script (`sh` for rclone tasks, `bash` for engine tasks) to its end. */
export function runTask(task: string, image: "rclone" | "engine", taskDir: string, script: string, env: NodeJS.ProcessEnv, args: string[] = []): { done: Promise<TaskRun>; kill: () => void } {
    const shell = image === "rclone" ? path.join(rcloneImagePath(), "sh") : "/bin/bash";
    const child = spawn(shell, [path.join(taskDir, "local", script), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const stderrTimes: Array<{ at: number; line: string }> = [];
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    let pending = "";
    child.stderr.on("data", (d: Buffer) => {
        const text = d.toString();
        stderr += text;
        const lines = (pending + text).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) stderrTimes.push({ at: Date.now(), line });
    });
    const done = new Promise<TaskRun>((resolve) => child.on("close", (code) => resolve({ task, code, stdout, stderr, stderrTimes })));
    return { done, kill: () => { if (child.exitCode === null) child.kill("SIGKILL"); } };
}

/** Runs the backup group: `dump` and `upload` together; the first failure kills its sibling. */
export async function runBackupGroup(dump: { dir: string; env: NodeJS.ProcessEnv }, upload: { dir: string; env: NodeJS.ProcessEnv }): Promise<{ dump: TaskRun; upload: TaskRun }> {
    const d = runTask("dump", "engine", dump.dir, SCRIPT_FILES.dump, dump.env);
    const u = runTask("upload", "rclone", upload.dir, SCRIPT_FILES.upload, upload.env);
    const onFail = (r: TaskRun, other: { kill: () => void }): TaskRun => {
        if (r.code !== 0) other.kill();
        return r;
    };
    const [dr, ur] = await Promise.all([d.done.then((r) => onFail(r, u)), u.done.then((r) => onFail(r, d))]);
    return { dump: dr, upload: ur };
}

/** Runs the restore job: `fetch` (prestart), then `restore` only if fetch succeeded (Nomad's lifecycle). */
export async function runRestoreJob(fetch: { dir: string; env: NodeJS.ProcessEnv }, restore: { dir: string; env: NodeJS.ProcessEnv }): Promise<{ fetch: TaskRun; restore?: TaskRun }> {
    const f = await runTask("fetch", "rclone", fetch.dir, SCRIPT_FILES.fetch, fetch.env).done;
    if (f.code !== 0) return { fetch: f };
    return { fetch: f, restore: await runTask("restore", "engine", restore.dir, SCRIPT_FILES.restore, restore.env).done };
}
