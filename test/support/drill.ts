/**
 * The restore drill as its Nomad job runs it, for the tests: the fetch task, the engine's
 * throw-away server, the drill task and the record task, in one simulated allocation.
 */
import * as fs from "fs";
import * as path from "path";
import { drillJobFiles, ENV, restoreScript, SCRIPT_FILES, WORK_DIRS } from "../../backups";
import { engineOf, EngineInstance, EngineName, resolveVersion } from "../../engines";
import { newAlloc, runTask, taskEnv, TaskRun } from "./jobs";
import { freePort, startProcess, stopProcess } from "./procs";
import { PG_BIN } from "./postgres";

/** An instance of the engine whose socket is `socketDir` (the drill's throw-away server's). */
function instanceAt(engine: EngineName, database: string, socketDir: string, port: number): EngineInstance {
    const v = resolveVersion(engine, engine === "postgresql" ? "15" : "10.11");
    if (!v.ok) throw new Error(v.message);
    return { database, mountpoint: "/unused", version: v.version, size: { ramMb: 1024, vcpus: 1 }, volumeGb: 1, users: [], schemas: [], paths: { socketDir, port } };
}

/** A stand-in for the consul CLI: records its arguments and the file it puts. */
function fakeConsul(dir: string): { bin: string; log: string } {
    const bin = path.join(dir, "consul-bin");
    fs.mkdirSync(bin, { recursive: true });
    const log = path.join(dir, "consul.log");
    fs.writeFileSync(path.join(bin, "consul"), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${log}\nfile=$4\ncat "\${file#@}" >> ${log}\n`, { mode: 0o755 });
    return { bin, log };
}

/** What one drill did. */
export interface Drill { fetch: TaskRun; drill?: TaskRun; record: TaskRun; result: Record<string, unknown>; consul: string }

/**
 * One drill allocation of `engine` (its database is env's DBAAS_DATABASE): fetch (prestart),
 * the engine's throw-away server (sidecar, as root: its scratch script) beside the drill (main),
 * then record (poststop) with a stand-in `consul`.
 */
export async function drillOnce(engineName: EngineName, conf: string, env: Record<string, string>, scratchDir: string): Promise<Drill> {
    const database = env[ENV.database]!;
    const bin = engineName === "postgresql" ? [PG_BIN] : [];
    const alloc = newAlloc();
    fs.chmodSync(alloc.dir, 0o755);
    fs.chmodSync(alloc.allocDir, 0o777);
    const consul = fakeConsul(scratchDir);
    fs.rmSync(consul.log, { force: true });
    const socketDir = path.join(alloc.allocDir, `${WORK_DIRS.drill}-socket`);
    const inst = instanceAt(engineName, database, socketDir, await freePort());
    const engine = engineOf(engineName);
    const spec = engine.backupSpec(inst);
    const files = drillJobFiles(spec);
    const e = { ...env, [ENV.restoreRemote]: "primary", [ENV.restoreBackup]: "latest", [ENV.drillKey]: `dbaas/databases/${database}/restore-drill` };
    try {
        const fetchDir = alloc.task("fetch", files.fetch, conf);
        const fetch = await runTask("fetch", "rclone", fetchDir, SCRIPT_FILES.drillFetch, taskEnv(alloc, fetchDir, "rclone", e)).done;
        let drill: TaskRun | undefined;
        if (fetch.code === 0) {
            const scratchTask = engine.scratchTask(inst);
            const scratchLocal = alloc.task("scratch", Object.fromEntries(scratchTask.files.flatMap((f) => ("content" in f ? [[path.basename(f.destination), f.content]] : []))));
            const server = startProcess("scratch", "bash", [path.join(scratchLocal, "local", "scratch.sh")], path.join(alloc.dir, "scratch.log"),
                { ...process.env, PATH: [...bin, process.env.PATH].join(":"), TMPDIR: alloc.dir });
            try {
                const drillDir = alloc.task("drill", { ...files.drill, [SCRIPT_FILES.restore]: restoreScript({ engine: spec.engine, dump: spec.dump, restore: spec.fresh.restore }, spec.fresh.prepare ? { prepare: spec.fresh.prepare } : {}) });
                drill = await runTask("drill", "engine", drillDir, SCRIPT_FILES.drill, taskEnv(alloc, drillDir, "engine", e, bin)).done;
            } finally {
                await stopProcess(server, 30_000);
            }
        }
        const recordDir = alloc.task("record", files.record);
        const recordEnv = taskEnv(alloc, recordDir, "rclone", e);
        recordEnv.PATH = `${consul.bin}:${recordEnv.PATH}`;
        const record = await runTask("record", "rclone", recordDir, SCRIPT_FILES.record, recordEnv).done;
        const resultFile = path.join(alloc.allocDir, WORK_DIRS.drill, "result");
        const result = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, "utf8")) as Record<string, unknown> : {};
        return { fetch, drill, record, result, consul: fs.existsSync(consul.log) ? fs.readFileSync(consul.log, "utf8") : "" };
    } finally {
        alloc.remove();
    }
}
