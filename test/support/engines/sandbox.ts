/**
 * A place for one real engine started by the tests: temporary directories that stand for the
 * data volume's mountpoint, the shared socket directory and the tasks' local/ and secrets/
 * directories; the task files written there as Nomad would render them; servers run as an
 * unprivileged system user (postgres, mysql) on a loopback port; a test CA and a server
 * certificate for 127.0.0.1.
 */
import * as assert from "node:assert";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../procs";
import { Engine, engineOf, EngineInstance, EngineName, InstancePaths, resolveVersion, TaskSpec } from "../../../engines";

/** A finished process. */
export interface Ran {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** An OS account the engine runs as in the tests (the image's uid 999 stands for it). */
export interface OsUser {
    readonly name: string;
    readonly uid: number;
    readonly gid: number;
}

/** The uid/gid of a system user (created by the engine's Debian package). */
export function osUser(name: string): OsUser {
    const r = spawnSync("id", ["-u", name], { encoding: "utf8" });
    const g = spawnSync("id", ["-g", name], { encoding: "utf8" });
    if (r.status !== 0 || g.status !== 0) throw new Error(`no system user ${name}: install its Debian package (scripts/test.sh does)`);
    return { name, uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** Runs a command (as root, or as `user` through runuser), never through a shell; never throws on a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: { user?: string; env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string; timeoutMs?: number } = {}): Ran {
    const [c, a] = opts.user ? ["runuser", ["-u", opts.user, "--", cmd, ...args]] : [cmd, [...args]];
    const r = spawnSync(c, a, { env: opts.env ?? process.env, input: opts.input ?? "", cwd: opts.cwd, encoding: "utf8", timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 << 20 });
    // EPIPE: the command exited before reading its input (it failed early): its status says so.
    if (r.error && (r.error as NodeJS.ErrnoException).code !== "EPIPE") throw r.error;
    return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Like {@link run}, but throws with the output unless the command exits 0. */
export function runOk(cmd: string, args: readonly string[], opts: Parameters<typeof run>[2] = {}): Ran {
    const r = run(cmd, args, opts);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    return r;
}

/** A free TCP port on 127.0.0.1 (the processes' helper). */
export { freePort };

/** Waits until `check` returns true, or fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
        if (check()) return;
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
}

/** Directories standing for the node's volume and socket directory and the tasks' local/ and secrets/. */
export class Sandbox {
    readonly root: string;
    readonly mountpoint: string;
    readonly socketDir: string;
    /** Stands for the image's own socket directory (/var/run/postgresql, /run/mysqld). */
    readonly imageSocketDir: string;
    readonly localDir: string;
    readonly secretsDir: string;
    readonly logDir: string;

    constructor(prefix: string, readonly engineUser: OsUser) {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), `dbaas-${prefix}-`));
        fs.chmodSync(this.root, 0o755);
        this.mountpoint = this.dir("srv");
        this.socketDir = this.dir("run");
        this.imageSocketDir = this.dir("image-run");
        this.localDir = this.dir("local");
        this.secretsDir = this.dir("secrets", 0o711);
        this.logDir = this.dir("log");
        // The images' entrypoints chown the socket directory to the engine's user.
        for (const d of [this.socketDir, this.imageSocketDir]) {
            fs.chownSync(d, engineUser.uid, engineUser.gid);
            fs.chmodSync(d, 0o775);
        }
    }

    private dir(name: string, mode = 0o755): string {
        const d = path.join(this.root, name);
        fs.mkdirSync(d, { mode });
        fs.chmodSync(d, mode);
        return d;
    }

    /** The instance paths that point the tasks here (and the engine at 127.0.0.1:port). */
    paths(port: number): InstancePaths {
        return { socketDir: this.socketDir, imageSocketDir: this.imageSocketDir, localDir: this.localDir, secretsDir: this.secretsDir, listenAddress: "127.0.0.1", port };
    }

    /**
     * Writes a task's files as Nomad renders them: plain content verbatim, secret items from
     * `secrets`; the perms given (Nomad's default 0644); uid/gid 999 (the image's engine user)
     * become the test's engine user, anything else stays root's.
     */
    writeTaskFiles(task: TaskSpec, secrets: Readonly<Record<string, string>>, imageUid: number): void {
        for (const f of task.files) {
            const [dir, rel] = f.destination.startsWith("local/") ? [this.localDir, f.destination.slice(6)] : [this.secretsDir, f.destination.slice(8)];
            const target = path.join(dir, rel);
            let content: string;
            if ("content" in f) content = f.content;
            else {
                const value = secrets[f.secret];
                if (value === undefined) throw new Error(`no test value for secret item ${f.secret}`);
                content = value;
            }
            fs.writeFileSync(target, content);
            fs.chmodSync(target, parseInt(f.perms ?? "0644", 8));
            const owner = f.uid === imageUid ? this.engineUser : { uid: 0, gid: 0 };
            fs.chownSync(target, owner.uid, f.gid === imageUid ? this.engineUser.gid : owner.gid);
        }
    }

    /** A file in the sandbox, owned by the engine user, for what an entrypoint hands its steps. */
    engineFile(name: string, content: string, mode = 0o600): string {
        const p = path.join(this.root, name);
        fs.writeFileSync(p, content, { mode });
        fs.chmodSync(p, mode);
        fs.chownSync(p, this.engineUser.uid, this.engineUser.gid);
        return p;
    }

    /** Creates a directory (and its parents) owned by the engine user, as the entrypoints do for the data directory. */
    engineDir(dir: string): void {
        fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.chownSync(dir, this.engineUser.uid, this.engineUser.gid);
        fs.chmodSync(dir, 0o700);
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** A server process started by the tests (its output in a log file). */
export class ServerProcess {
    private readonly child: ChildProcess;
    private exited: Promise<number | null>;
    exitCode: number | null | undefined = undefined;

    constructor(readonly logFile: string, cmd: string, args: readonly string[], opts: { user: OsUser; env: NodeJS.ProcessEnv; cwd?: string }) {
        const out = fs.openSync(logFile, "a");
        this.child = spawn(cmd, [...args], { uid: opts.user.uid, gid: opts.user.gid, env: opts.env, cwd: opts.cwd ?? "/", stdio: ["ignore", out, out] });
        fs.closeSync(out);
        this.exited = new Promise((resolve) => this.child.once("exit", (code) => { this.exitCode = code; resolve(code); }));
        LIVE.add(this);
    }

    get running(): boolean {
        return this.exitCode === undefined;
    }

    log(): string {
        return fs.readFileSync(this.logFile, "utf8");
    }

    /** Sends `signal` and waits for the exit; returns the seconds it took, or fails after `timeoutSeconds`. */
    async stop(signal: NodeJS.Signals, timeoutSeconds: number): Promise<number> {
        const start = Date.now();
        if (this.running) this.child.kill(signal);
        let timer: NodeJS.Timeout | undefined;
        const code = await Promise.race([this.exited, new Promise<"timeout">((r) => { timer = setTimeout(() => r("timeout"), timeoutSeconds * 1000); })]);
        clearTimeout(timer);
        LIVE.delete(this);
        if (code === "timeout") {
            this.child.kill("SIGKILL");
            throw new Error(`the server did not stop within ${timeoutSeconds} s of ${signal}`);
        }
        return (Date.now() - start) / 1000;
    }
}

/** Servers still running: killed if the test process exits without stopping them. */
const LIVE = new Set<ServerProcess>();
process.on("exit", () => {
    for (const s of LIVE) if (s.running) s.stop("SIGKILL", 1).catch(() => undefined);
});

/** A test CA and a server certificate for 127.0.0.1 (made once per test run). */
export interface TestTls {
    readonly caCertFile: string;
    readonly caCert: string;
    readonly cert: string;
    readonly key: string;
}

let tls: TestTls | undefined;

/** The test CA and server certificate (openssl). */
export function testTls(): TestTls {
    if (tls) return tls;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbaas-tls-"));
    fs.chmodSync(dir, 0o755);
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    const f = (n: string): string => path.join(dir, n);
    runOk("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=dbaas test CA", "-keyout", f("ca.key"), "-out", f("ca.crt")]);
    runOk("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", f("server.key"), "-out", f("server.csr")]);
    fs.writeFileSync(f("ext.cnf"), "subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n");
    runOk("openssl", ["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("ext.cnf"), "-out", f("server.crt")]);
    fs.chmodSync(f("ca.crt"), 0o644);
    tls = { caCertFile: f("ca.crt"), caCert: fs.readFileSync(f("ca.crt"), "utf8"), cert: fs.readFileSync(f("server.crt"), "utf8"), key: fs.readFileSync(f("server.key"), "utf8") };
    return tls;
}

/** Test passwords: plain ones, and one with every character that quoting could get wrong. */
export const TRICKY_PASSWORD = `p'a"s\\s w#rd$1;--`;

/** The secret items of an instance, filled with test values. */
export function testSecrets(items: readonly { name: string; kind: string }[], overrides: Record<string, string> = {}): Record<string, string> {
    const t = testTls();
    const out: Record<string, string> = {};
    let i = 0;
    for (const item of items) {
        if (item.kind === "tls-cert") out[item.name] = t.cert;
        else if (item.kind === "tls-key") out[item.name] = t.key;
        // Rendered files may end with a newline: the engines must not count it in the password.
        else out[item.name] = `Pw${++i}x${Math.random().toString(36).slice(2, 12)}\n`;
    }
    return { ...out, ...overrides };
}

/** An instance's test copy with other users/schemas (for re-runs of the configure task). */
export function withUsers(inst: EngineInstance, users: EngineInstance["users"]): EngineInstance {
    return { ...inst, users };
}

/** The database the engine tests make: its owner, a read and a write user, two schemas, a small flavor. */
export function testInstance(engine: EngineName, version: string, mountpoint: string, paths: EngineInstance["paths"]): EngineInstance {
    const v = resolveVersion(engine, version);
    if (!v.ok) throw new Error(v.message);
    return {
        database: "my-first-db", mountpoint, version: v.version, size: { ramMb: 1024, vcpus: 1 }, volumeGb: 10,
        users: [{ name: "reporting", access: "read" }, { name: "app_writer", access: "write" }],
        schemas: ["app", "audit_log"],
        paths,
    };
}

/** What every engine's test server holds: its OS user, sandbox, engine, instance, secrets and process. */
export abstract class TestServer {
    readonly user: OsUser;
    readonly sandbox: Sandbox;
    readonly engine: Engine;
    inst!: EngineInstance;
    secrets!: Record<string, string>;
    service!: TaskSpec;
    server?: ServerProcess;
    /** Whether the health check failed on the image's temporary initialisation server, as it must. */
    initHealthFailed = false;

    constructor(engine: EngineName, osUserName: string, sandboxName: string) {
        this.user = osUser(osUserName);
        this.sandbox = new Sandbox(sandboxName, this.user);
        this.engine = engineOf(engine);
    }
}

/** A test server that can run one of its engine's tasks and stop. */
export interface RunningEngine extends TestServer {
    runTask(task: TaskSpec, secrets?: Record<string, string>): Ran;
    stop(): Promise<number | undefined>;
}

/**
 * The checks every engine's last two tests make: the wait task passes while the engine is up,
 * then the engine stops cleanly on its kill signal within its kill timeout, its log saying so,
 * and the wait task then fails.
 */
export function waitThenStopChecks(server: () => RunningEngine, title: string, shutdownLog: readonly RegExp[], env?: NodeJS.ProcessEnv): void {
    it("the wait task passes once the engine is healthy (from another container's point of view: the shared socket)", () => {
        const s = server();
        const r = s.runTask(s.engine.waitTask(s.inst));
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`${title} is ready`));
    });

    it("stops cleanly on the task's kill signal within its kill timeout", async () => {
        const s = server();
        const took = await s.stop();
        const wait = s.engine.waitTask(s.inst);
        const w = run(wait.command!, [...wait.args, "3"], env ? { env } : {});
        assert.equal(w.status, 1);
        assert.match(w.stderr, new RegExp(`${title} is not ready after 3 s`));
        assert.ok(took !== undefined && took < s.service.killTimeoutSeconds!, `took ${took} s`);
        for (const line of shutdownLog) assert.match(s.server!.log(), line);
        s.server = undefined;
    });
}

/** Runs SQL through the engine's sql task, as the sql job does with its dispatch payload. */
export function runSqlPayload(server: RunningEngine, sql: string): Ran {
    const payload = path.join(server.sandbox.localDir, "payload.sql");
    fs.writeFileSync(payload, sql);
    return server.runTask(server.engine.sqlTask(server.inst, payload));
}
