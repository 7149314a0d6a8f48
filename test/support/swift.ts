/**
 * A real OpenStack Swift all-in-one for the tests, on loopback, in a temporary directory:
 * memcached, one account, one container and one object server (storage in a plain directory:
 * `mount_check = false`, `disable_fallocate = true`, one replica), rings built with
 * swift-ring-builder, and two proxies with tempauth standing in for two clouds: the primary
 * (user `primary:backup`, account AUTH_primary) and the secondary (`secondary:backup`,
 * AUTH_secondary); each proxy knows only its own user. Every process is started here and
 * stopped by its PID; the directory is removed.
 *
 * Debian packages: swift swift-proxy swift-account swift-container swift-object
 * python3-swiftclient memcached. Swift reads its hash suffix and storage policies from Debian's
 * /etc/swift/swift.conf (the servers have no option to read another one); it is only read.
 *
 * Usage (mocha): `const swift = useSwift();` at the top of a describe block, then
 * `swift().primary.authUrl` etc. inside the tests.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import { renderIni, IniSection } from "../../backups/ini";
import { requireTool, run } from "./exec";
import { freePort, startProcess, Started, stopProcess, waitFor } from "./procs";

/** One "cloud": a tempauth v1 endpoint and its credentials. */
export interface SwiftCloud {
    /** e.g. http://127.0.0.1:PORT/auth/v1.0 (rclone: auth_version = 1). */
    readonly authUrl: string;
    /** tempauth user, `account:user`. */
    readonly user: string;
    readonly key: string;
    /** The Swift account, e.g. AUTH_primary. */
    readonly account: string;
}

/** A running all-in-one. */
export interface SwiftAio {
    readonly primary: SwiftCloud;
    readonly secondary: SwiftCloud;
    /** Milliseconds from the first command to a proxy answering an authenticated PUT. */
    readonly startMs: number;
    readonly dir: string;
    /** Runs the `swift` client of python3-swiftclient against one cloud; throws on failure. */
    swift(cloud: SwiftCloud, args: readonly string[]): string;
    /** Stops every process (by PID) and removes the directory. */
    stop(): Promise<void>;
}

const PACKAGES: ReadonlyArray<[string, string]> = [
    ["swift-ring-builder", "swift"], ["swift-proxy-server", "swift-proxy"], ["swift-account-server", "swift-account"],
    ["swift-container-server", "swift-container"], ["swift-object-server", "swift-object"], ["swift", "python3-swiftclient"],
    ["memcached", "memcached"],
];

const PROXY_PIPELINE = "catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempauth copy slo dlo proxy-logging proxy-server";

function filters(names: readonly string[]): IniSection[] {
    return names.map((n) => ({ name: `filter:${n}`, entries: { use: `egg:swift#${n === "cache" ? "memcache" : n.replace("-", "_")}` } }));
}

function common(dir: string, port: number): Record<string, string | number | boolean> {
    return {
        bind_ip: "127.0.0.1", bind_port: port, workers: 0, user: os.userInfo().username, swift_dir: path.join(dir, "rings"),
        devices: path.join(dir, "srv"), mount_check: false, disable_fallocate: true, log_level: "WARNING",
        log_name: `swift-${port}`,
    };
}

function serverConf(kind: "account" | "container" | "object", dir: string, port: number): string {
    return renderIni([
        { name: "DEFAULT", entries: common(dir, port) },
        { name: "pipeline:main", entries: { pipeline: `${kind}-server` } },
        { name: `app:${kind}-server`, entries: { use: `egg:swift#${kind}` } },
    ]);
}

function proxyConf(dir: string, port: number, memcachePort: number, cloud: { account: string; user: string; key: string }): string {
    return renderIni([
        { name: "DEFAULT", entries: common(dir, port) },
        { name: "pipeline:main", entries: { pipeline: PROXY_PIPELINE } },
        { name: "app:proxy-server", entries: { use: "egg:swift#proxy", account_autocreate: true } },
        { name: "filter:tempauth", entries: { use: "egg:swift#tempauth", [`user_${cloud.account}_${cloud.user}`]: `${cloud.key} .admin` } },
        ...filters(["catch_errors", "gatekeeper", "healthcheck", "proxy-logging", "listing_formats", "bulk", "copy", "slo", "dlo"]),
        { name: "filter:cache", entries: { use: "egg:swift#memcache", memcache_servers: `127.0.0.1:${memcachePort}` } },
    ]);
}

async function ringBuild(ringDir: string, kind: string, port: number): Promise<void> {
    const builder = path.join(ringDir, `${kind}.builder`);
    const steps: string[][] = [
        [builder, "create", "6", "1", "1"],
        [builder, "add", "--region", "1", "--zone", "1", "--ip", "127.0.0.1", "--port", String(port), "--device", "d1", "--weight", "100"],
        [builder, "rebalance"],
    ];
    for (const args of steps) {
        const rc = await new Promise<number | null>((resolve) => {
            const p = spawn("swift-ring-builder", args, { stdio: "ignore" });
            p.on("exit", (code) => resolve(code));
        });
        if (rc !== 0) throw new Error(`swift-ring-builder ${args.slice(1).join(" ")} exited ${rc}`);
    }
}

async function http(method: string, url: string, headers: Record<string, string> = {}): Promise<Response | null> {
    try {
        return await fetch(url, { method, headers, signal: AbortSignal.timeout(5000) });
    } catch {
        return null;
    }
}

/** Starts the all-in-one (about 2–4 s here). */
export async function startSwift(): Promise<SwiftAio> {
    const t0 = Date.now();
    for (const [tool, pkg] of PACKAGES) requireTool(tool, pkg);
    if (!fs.existsSync("/etc/swift/swift.conf")) throw new Error("/etc/swift/swift.conf is missing: apt-get install swift");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "swift-aio-"));
    const procs: Started[] = [];
    const stop = async (): Promise<void> => {
        await Promise.all(procs.map((p) => stopProcess(p)));
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        fs.mkdirSync(path.join(dir, "srv", "d1"), { recursive: true });
        fs.mkdirSync(path.join(dir, "rings"));
        fs.mkdirSync(path.join(dir, "log"));
        const [mc, acc, con, obj, p1, p2] = await Promise.all([0, 1, 2, 3, 4, 5].map(() => freePort()));
        const key = (): string => crypto.randomBytes(12).toString("hex");
        const clouds = {
            primary: { account: "primary", user: "backup", key: key(), port: p1 },
            secondary: { account: "secondary", user: "backup", key: key(), port: p2 },
        };
        const rings = Promise.all((["account", "container", "object"] as const).map((k, i) => ringBuild(path.join(dir, "rings"), k, [acc, con, obj][i])));
        const log = (n: string): string => path.join(dir, "log", `${n}.log`);
        const mcArgs = ["-l", "127.0.0.1", "-p", String(mc), "-U", "0", "-m", "64"];
        if (process.getuid?.() === 0) mcArgs.push("-u", "nobody");
        procs.push(startProcess("memcached", "memcached", mcArgs, log("memcached")));
        const launch = (name: string, bin: string, conf: string): void => {
            const file = path.join(dir, `${name}.conf`);
            fs.writeFileSync(file, conf);
            procs.push(startProcess(name, bin, [file, "--verbose"], log(name)));
        };
        // The storage servers need no ring to start; the proxies load the rings when they start.
        for (const kind of ["account", "container", "object"] as const) launch(kind, `swift-${kind}-server`, serverConf(kind, dir, { account: acc, container: con, object: obj }[kind]));
        await rings;
        launch("proxy-primary", "swift-proxy-server", proxyConf(dir, p1, mc, clouds.primary));
        launch("proxy-secondary", "swift-proxy-server", proxyConf(dir, p2, mc, clouds.secondary));
        const cloudOf = (c: typeof clouds.primary): SwiftCloud => ({
            authUrl: `http://127.0.0.1:${c.port}/auth/v1.0`, user: `${c.account}:${c.user}`, key: c.key, account: `AUTH_${c.account}`,
        });
        const primary = cloudOf(clouds.primary);
        const secondary = cloudOf(clouds.secondary);
        for (const cloud of [primary, secondary]) {
            // Ready when a token is issued and a container can be created and deleted (all three storage servers answer).
            await waitFor(`Swift proxy ${cloud.authUrl}`, async () => {
                const auth = await http("GET", cloud.authUrl, { "X-Auth-User": cloud.user, "X-Auth-Key": cloud.key });
                const url = auth?.headers.get("x-storage-url");
                const token = auth?.headers.get("x-auth-token");
                if (!auth?.ok || !url || !token) return false;
                const put = await http("PUT", `${url}/ready-check`, { "X-Auth-Token": token });
                if (!put || put.status >= 300) return false;
                const del = await http("DELETE", `${url}/ready-check`, { "X-Auth-Token": token });
                return !!del && del.status < 300;
            }, 60_000, procs);
        }
        const startMs = Date.now() - t0;
        return {
            primary, secondary, startMs, dir, stop,
            swift(cloud, args) {
                const r = run("swift", ["-A", cloud.authUrl, "-U", cloud.user, "-K", cloud.key, ...args]);
                if (r.status !== 0) throw new Error(`swift ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
                return r.stdout;
            },
        };
    } catch (e) {
        await stop();
        throw e;
    }
}

/** Mocha: starts Swift in a `before` hook and stops it in `after`; call the result inside tests. */
export function useSwift(): () => SwiftAio {
    let aio: SwiftAio | undefined;
    before(async function () {
        this.timeout(120_000);
        aio = await startSwift();
    });
    after(async function () {
        this.timeout(60_000);
        await aio?.stop();
    });
    return () => {
        if (!aio) throw new Error("Swift is not running (useSwift() must be called inside a describe block)");
        return aio;
    };
}
