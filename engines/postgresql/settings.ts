/**
 * PostgreSQL's settings, sized from the flavor, and the two files the server reads: our own
 * postgresql.conf (the server is started with `-c config_file=…`, so initdb's file in the data
 * directory is not read) and pg_hba.conf (`hba_file`).
 */
import { EngineInstance, FlavorSize } from "../engine";
import { clamp, engineMemoryMb, floorTo, MAX_STOP_SECONDS, maxConnectionsFor, mb, Placement } from "../common";

/** The sized settings (values as PostgreSQL reads them), with the memory budget they come from. */
export interface PostgresqlSizing {
    /** The engine's memory budget (the Nomad task's memory), MB. */
    readonly memoryMb: number;
    readonly sharedBuffersMb: number;
    readonly settings: Readonly<Record<string, string | number>>;
    /** The container's /dev/shm, MB. */
    readonly shmSizeMb: number;
    /** Time a fast shutdown may take, s. */
    readonly stopSeconds: number;
}

/**
 * Settings from the flavor (pure). Each rule's reason is next to it; `volumeGb` bounds the WAL.
 * Sane from 1 GB / 1 vCPU (a 256 MB budget: shared_buffers 64MB, 50 connections, no parallel
 * query) to large flavors (caps where a bigger value stops paying).
 */
export function postgresqlSizing(size: FlavorSize, volumeGb: number): PostgresqlSizing {
    const memoryMb = engineMemoryMb(size);
    const vcpus = Math.max(1, Math.floor(size.vcpus));

    // shared_buffers: 25 % of the memory, the PostgreSQL manual's "reasonable starting value" for
    // a dedicated server; the kernel's page cache holds the rest of the working set (PostgreSQL
    // reads through it), and beyond 40 % the double buffering stops paying. Whole 16 MB.
    const sharedBuffersMb = floorTo(memoryMb * 0.25, 16);
    // effective_cache_size: a planner hint (no allocation): shared_buffers plus the page cache the
    // engine can count on, 75 % of the budget.
    const effectiveCacheMb = floorTo(memoryMb * 0.75, 16);
    const maxConnections = maxConnectionsFor(memoryMb);
    // work_mem: per sort/hash node, per connection. What shared_buffers leaves, spread over every
    // connection running 3 such nodes at once (the usual worst-case rule); never below the 4MB
    // default, at most 64MB (larger sorts should be the exception, set per session).
    const workMemMb = clamp(Math.floor((memoryMb - sharedBuffersMb) / (maxConnections * 3)), 4, 64);
    // maintenance_work_mem: VACUUM, CREATE INDEX; up to autovacuum_max_workers (3) run at once,
    // so 1/16 of the budget each (19 % together), from 16MB (the smallest budgets: below the
    // 64MB default, which would not fit three times) to 2GB (past which index builds gain little).
    const maintenanceMb = clamp(floorTo(memoryMb / 16, 16), 16, 2048);
    // max_wal_size: checkpoints every max_wal_size of WAL or checkpoint_timeout. Bigger means
    // fewer checkpoints and fewer full-page writes (the write throughput), but more disk and a
    // longer crash recovery. WAL may overshoot it, so keep it to 10 % of the volume: from the 1GB
    // default (volumes of 10 GB and less) to 16GB. min_wal_size keeps a quarter recycled.
    const maxWalMb = clamp(floorTo((volumeGb * 1024) / 10, 64), 1024, 16384);
    const minWalMb = clamp(floorTo(maxWalMb / 4, 16), 80, 4096);
    // Parallel query: one worker per vCPU in total, half the vCPUs for one query (so a parallel
    // query leaves room for others), capped at 4 (returns diminish); none on 1 vCPU.
    const perGather = clamp(Math.floor(vcpus / 2), 0, 4);
    // Background workers: the parallel workers plus the default's room for extensions.
    const maxWorkerProcesses = Math.max(8, vcpus + 4);

    const settings: Record<string, string | number> = {
        max_connections: maxConnections,
        shared_buffers: mb(sharedBuffersMb),
        effective_cache_size: mb(effectiveCacheMb),
        work_mem: mb(workMemMb),
        maintenance_work_mem: mb(maintenanceMb),
        max_wal_size: mb(maxWalMb),
        min_wal_size: mb(minWalMb),
        // 15 min instead of 5: fewer checkpoints (fewer full-page writes) under steady writes;
        // recovery replays at most max_wal_size anyway. Spread over 90 % of the interval.
        checkpoint_timeout: "15min",
        checkpoint_completion_target: 0.9,
        // Cinder volumes are network block storage, usually SSD-backed: a random read costs about
        // a sequential one, and many requests can be in flight (the defaults assume a spinning disk).
        random_page_cost: 1.1,
        effective_io_concurrency: 200,
        max_worker_processes: maxWorkerProcesses,
        max_parallel_workers: vcpus,
        max_parallel_workers_per_gather: perGather,
        max_parallel_maintenance_workers: perGather,
    };

    // /dev/shm: parallel query's dynamic shared memory (hash tables, tuple queues) lives there,
    // sized by work_mem per worker; docker's 64 MB default fails large parallel hash joins with
    // "could not resize shared memory segment". An eighth of the budget, 128 MB to 1 GB (tmpfs:
    // only what is used counts against the task's memory).
    const shmSizeMb = clamp(floorTo(memoryMb / 8, 64), 128, 1024);
    // A fast shutdown ends with a checkpoint that writes every dirty buffer: allow the whole of
    // shared_buffers at a conservative 64 MB/s on top of 30 s, 60 s to 10 min. Killed earlier,
    // the next start runs crash recovery (safe, slower).
    const stopSeconds = clamp(Math.ceil(30 + sharedBuffersMb / 64), 60, MAX_STOP_SECONDS);
    return { memoryMb, sharedBuffersMb, settings, shmSizeMb, stopSeconds };
}

/** A setting's value in postgresql.conf syntax. */
function confValue(v: string | number): string {
    return typeof v === "number" ? String(v) : `'${v.replace(/'/g, "''")}'`;
}

/** The paths postgresql.conf refers to. */
export interface PostgresqlFiles {
    readonly hbaFile: string;
    readonly certFile: string;
    readonly keyFile: string;
}

/** Our postgresql.conf: listening, authentication, TLS, locale, logging and the sized settings. */
export function postgresqlConf(inst: EngineInstance, place: Placement, files: PostgresqlFiles): string {
    const sizing = postgresqlSizing(inst.size, inst.volumeGb);
    const fixed: [string, string | number, string][] = [
        ["listen_addresses", place.listenAddress, "clients reach the engine port; pg_hba.conf decides who gets in"],
        ["port", place.port, ""],
        [
            "unix_socket_directories",
            [...new Set([place.socketDir, place.imageSocketDir])].join(", "),
            place.socketDir === place.imageSocketDir
                ? "the host volume `socket`, shared with the configure/sql/backup tasks"
                : "the host volume `socket` (shared with the other tasks), and the image's own directory (its entrypoint initialises over it)",
        ],
        ["hba_file", files.hbaFile, "ours, not the data directory's (the image's entrypoint appends to that one)"],
        ["password_encryption", "scram-sha-256", ""],
        ["ssl", "on", ""],
        ["ssl_cert_file", files.certFile, ""],
        ["ssl_key_file", files.keyFile, ""],
        ["ssl_min_protocol_version", "TLSv1.2", ""],
        // initdb writes these into the data directory's postgresql.conf, which is not read.
        ["lc_messages", "C.UTF-8", ""],
        ["lc_monetary", "C.UTF-8", ""],
        ["lc_numeric", "C.UTF-8", ""],
        ["lc_time", "C.UTF-8", ""],
        ["datestyle", "iso, mdy", ""],
        ["timezone", "UTC", ""],
        ["log_timezone", "UTC", ""],
        ["default_text_search_config", "pg_catalog.english", ""],
        ["log_destination", "stderr", "the container's log (Nomad keeps it)"],
        ["logging_collector", "off", ""],
    ];
    const lines = [
        `# PostgreSQL ${inst.version.minor} for database "${inst.database}", generated by cloud-dbaas from the flavor`,
        `# (${inst.size.vcpus} vCPUs, ${inst.size.ramMb} MB RAM: ${sizing.memoryMb} MB for the engine) and a ${inst.volumeGb} GB volume.`,
        "# The engine job renders this file; changes here are lost.",
        "",
    ];
    for (const [k, v, why] of fixed) lines.push(`${k} = ${confValue(v)}${why ? `    # ${why}` : ""}`);
    lines.push("", "# Sized from the flavor (engines/postgresql/settings.ts says why).");
    for (const [k, v] of Object.entries(sizing.settings)) lines.push(`${k} = ${typeof v === "number" ? v : confValue(v)}`);
    return `${lines.join("\n")}\n`;
}

/** A name as a pg_hba.conf token: double-quoted, so that it is never read as a keyword. */
function hbaName(name: string): string {
    return `"${name}"`;
}

/**
 * pg_hba.conf: the superuser only over the socket (peer: the OS user `postgres` of the image),
 * never over TCP from any address; every other role by SCRAM password, over the socket or over
 * TLS to the application database only; any other TCP connection is refused.
 */
export function pgHbaConf(inst: EngineInstance): string {
    return [
        `# pg_hba.conf for database "${inst.database}", generated by cloud-dbaas. First match wins.`,
        "# TYPE    DATABASE  USER      ADDRESS  METHOD",
        "local     all       postgres           peer",
        "local     all       all                scram-sha-256",
        "host      all       postgres  all      reject",
        "hostnossl all       all       all      reject",
        `hostssl   ${hbaName(inst.database)}  all  all  scram-sha-256`,
        "host      all       all       all      reject",
        "",
    ].join("\n");
}
