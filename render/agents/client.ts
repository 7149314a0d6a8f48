/** Consul and Nomad client agent configurations of a database node (no secret in them). */
import { NODE_RESERVED_MB } from "../../engines";
import { socketDir } from "../databaseNode";
import { TLS_PATHS } from "./paths";

/** What a database node's Consul and Nomad clients need. */
export interface ClientAgentArgs {
    /** Datacenter of the control plane. */
    readonly datacenter: string;
    /** Nomad region of the control plane. */
    readonly region: string;
    /** This node's fixed address. */
    readonly address: string;
    /** The control-plane servers' addresses. */
    readonly serverAddresses: readonly string[];
    /** The database's name (Nomad node metadata; jobs are constrained to it). */
    readonly database: string;
    /** The data volume's mountpoint (a Nomad host volume for the engine). */
    readonly mountpoint: string;
    /** How long the engine may take to stop cleanly, in seconds (Nomad caps kill timeouts at max_kill_timeout). */
    readonly engineStopSeconds: number;
}

/** Consul client agent configuration: joins the servers, TLS certificates by auto_encrypt; no secret. */
export function consulClientConfig(a: ClientAgentArgs): object {
    return {
        datacenter: a.datacenter,
        data_dir: "/opt/consul",
        server: false,
        bind_addr: a.address,
        advertise_addr: a.address,
        client_addr: "127.0.0.1",
        retry_join: [...a.serverAddresses],
        acl: { enabled: true, default_policy: "deny", down_policy: "extend-cache", enable_token_persistence: true },
        auto_encrypt: { tls: true },
        tls: { defaults: { ca_file: TLS_PATHS.consul.ca, verify_outgoing: true }, internal_rpc: { verify_server_hostname: true } },
    };
}

/** Nomad client configuration: this database's node, mutual TLS with the servers; no secret. */
export function nomadClientConfig(a: ClientAgentArgs): object {
    return {
        datacenter: a.datacenter,
        region: a.region,
        data_dir: "/opt/nomad/data",
        bind_addr: "0.0.0.0",
        advertise: { http: a.address, rpc: a.address, serf: a.address },
        client: {
            enabled: true,
            servers: a.serverAddresses.map((s) => `${s}:4647`),
            node_class: "dbaas-database",
            meta: { "dbaas.database": a.database },
            // The engine's data (the volume's mountpoint) and its Unix socket: the only host paths a job reaches.
            host_volume: { data: { path: a.mountpoint, read_only: false }, socket: { path: socketDir(a.database), read_only: false } },
            // What the node keeps for itself: the engine's budget is sized to fit beside one batch task.
            reserved: { memory: NODE_RESERVED_MB },
            // A task's kill_timeout is capped by this: let the engine shut down cleanly.
            max_kill_timeout: `${a.engineStopSeconds}s`,
        },
        acl: { enabled: true },
        tls: { http: true, rpc: true, ca_file: TLS_PATHS.nomad.ca, cert_file: TLS_PATHS.nomad.cert, key_file: TLS_PATHS.nomad.key, verify_server_hostname: true },
        consul: { address: "127.0.0.1:8500" },
        // No arbitrary host mounts (no job can mount /etc/openstack or /etc/consul.d): host volumes only.
        // Images stay on the data volume for the next failover: Nomad never garbage-collects them.
        plugin: { docker: { config: { volumes: { enabled: false }, gc: { image: false } } } },
    };
}
