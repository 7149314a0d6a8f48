/**
 * What a database node runs besides the cluster stack, as files its user data writes (no secret
 * in them): docker's daemon settings and unit drop-in, the Nomad client's drop-in and the
 * takeover script it runs, the engine's socket directory.
 *
 * - docker keeps its images and containers on the data volume (`data-root`), so the node that
 *   takes the group over already has the engine's image: no pull during a failover. It starts
 *   only where the volume is mounted (an Assert in its unit), which Pacemaker guarantees.
 * - When docker stops (a planned move: Pacemaker stops nomad, then docker), dockerd stops every
 *   container with its stop signal and gives it `shutdown-timeout` seconds: the engine's clean
 *   shutdown time (its task's kill timeout), not dockerd's default 15 s.
 * - When the Nomad client starts on the node that took over, it stops the engine allocations
 *   still recorded on other nodes (fenced already: Pacemaker fences before it moves anything),
 *   so Nomad reschedules the engine here at once instead of waiting for the dead node's
 *   heartbeat to expire.
 */
import { TLS_PATHS } from "./agents/paths";
import { WriteFile } from "./cloudInit";
import { jsonFile } from "./json";
import { shellQuote } from "../common/shell";

/** The root of the engines' socket directories (a tmpfs). */
export const SOCKET_ROOT = "/run/dbaas";

/** uid and gid of the engine server inside the official postgres and mariadb images. */
export const ENGINE_UID = 999;

/** Where a database's engine puts its Unix socket on the node: the Nomad host volume "socket". */
export function socketDir(database: string): string {
    return `${SOCKET_ROOT}/${database}`;
}

/** Where the Nomad token the takeover script uses is installed (sent over SSH). */
export const TAKEOVER_TOKEN_PATH = "/etc/nomad.d/takeover-token";

/** Where the takeover script is installed. */
export const TAKEOVER_SCRIPT_PATH = "/usr/local/sbin/dbaas-nomad-takeover";

/** docker's daemon.json: images and containers on the data volume, the engine's clean-shutdown time (seconds). */
export function dockerDaemonConfig(mountpoint: string, shutdownSeconds: number): object {
    return { "data-root": `${mountpoint}/docker`, "shutdown-timeout": shutdownSeconds, "live-restore": false };
}

/** docker.service's drop-in: only where the volume is mounted, and enough time to stop its containers cleanly. */
export function dockerUnitDropIn(mountpoint: string, shutdownSeconds: number): string {
    return [
        "# Managed by cloud-dbaas: docker keeps its data on the data volume; Pacemaker starts it where the volume is mounted.",
        "[Unit]",
        `AssertPathIsMountPoint=${mountpoint}`,
        "[Service]",
        `TimeoutStopSec=${shutdownSeconds + 30}`,
        "",
    ].join("\n");
}

/** nomad.service's drop-in: take the engine over from a fenced node as soon as this client is up (failure is not fatal). */
export function nomadUnitDropIn(): string {
    return [
        "# Managed by cloud-dbaas: reschedule the engine here at once after a failover (see the script).",
        "[Service]",
        `ExecStartPost=-${TAKEOVER_SCRIPT_PATH}`,
        "",
    ].join("\n");
}

/** systemd-tmpfiles: the engine's socket directory, on every boot, owned by the engines' server user. */
export function socketTmpfiles(database: string): string {
    return `# Managed by cloud-dbaas: the engine's Unix socket (Nomad host volume "socket").\nd ${socketDir(database)} 0770 ${ENGINE_UID} ${ENGINE_UID} -\n`;
}

/** What the takeover script needs. */
export interface TakeoverArgs {
    /** The Nomad jobs whose allocations follow the volume (the engine's service job). */
    readonly jobIds: readonly string[];
    /** Seconds to wait for the local client to register. */
    readonly waitSeconds?: number;
}

/**
 * Bash run when the Nomad client starts: waits for this client to be registered, then stops
 * (and so reschedules, here) every running allocation of the given jobs that Nomad still
 * places on another node. Only Pacemaker starts nomad, and only after it has fenced the node
 * that held the group: those allocations are dead. Prints what it did; never fails the start.
 */
export function nomadTakeoverScript(args: TakeoverArgs): string {
    for (const id of args.jobIds) if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new Error(`not a job id: ${id}`);
    const wait = args.waitSeconds ?? 60;
    return [
        "#!/usr/bin/env bash",
        "# Managed by cloud-dbaas: after a failover, reschedule the engine on this node at once.",
        "set -uo pipefail",
        "export NOMAD_ADDR=https://127.0.0.1:4646",
        `export NOMAD_CACERT=${shellQuote(TLS_PATHS.nomad.ca)}`,
        `token_file="\${TAKEOVER_TOKEN_FILE:-${TAKEOVER_TOKEN_PATH}}"`,
        'if [[ ! -r "$token_file" ]]; then echo "takeover: no token yet; nothing to do"; exit 0; fi',
        'NOMAD_TOKEN="$(cat "$token_file")"',
        "export NOMAD_TOKEN",
        "self=''",
        `for _ in $(seq 1 ${wait}); do`,
        "  self=\"$(nomad node status -self -json 2>/dev/null | jq -r '.ID // empty')\" && [[ -n \"$self\" ]] && break",
        "  sleep 1",
        "done",
        'if [[ -z "$self" ]]; then echo "takeover: this Nomad client did not register; Nomad will reschedule after the heartbeat" >&2; exit 0; fi',
        ...args.jobIds.flatMap((job) => [
            `nomad job allocs -json ${shellQuote(job)} 2>/dev/null \\`,
            "  | jq -r --arg self \"$self\" '.[] | select(.NodeID != $self and (.ClientStatus == \"running\" or .ClientStatus == \"pending\") and .DesiredStatus == \"run\") | .ID' \\",
            "  | while read -r alloc; do",
            `      echo "takeover: stopping allocation $alloc of ${job} on a fenced node; Nomad reschedules it here"`,
            '      nomad alloc stop -detach "$alloc" >/dev/null || echo "takeover: could not stop $alloc" >&2',
            "    done",
        ]),
        "exit 0",
        "",
    ].join("\n");
}

/** What the node's service files need. */
export interface NodeServiceArgs {
    /** The database's name. */
    readonly database: string;
    /** The data volume's mountpoint. */
    readonly mountpoint: string;
    /** The engine's service job. */
    readonly engineJobId: string;
    /** How long the engine may take to stop cleanly (its task's kill timeout), in seconds. */
    readonly engineStopSeconds: number;
}

/** The files of a database node's user data that this module owns. */
export function databaseNodeServiceFiles(args: NodeServiceArgs): WriteFile[] {
    return [
        { path: "/etc/docker/daemon.json", content: jsonFile(dockerDaemonConfig(args.mountpoint, args.engineStopSeconds)), permissions: "0644" },
        { path: "/etc/systemd/system/docker.service.d/dbaas.conf", content: dockerUnitDropIn(args.mountpoint, args.engineStopSeconds), permissions: "0644" },
        { path: "/etc/systemd/system/nomad.service.d/dbaas.conf", content: nomadUnitDropIn(), permissions: "0644" },
        { path: TAKEOVER_SCRIPT_PATH, content: nomadTakeoverScript({ jobIds: [args.engineJobId] }), permissions: "0755" },
        { path: "/etc/tmpfiles.d/dbaas-socket.conf", content: socketTmpfiles(args.database), permissions: "0644" },
    ];
}
