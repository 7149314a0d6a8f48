/** Consul and Nomad server configurations of the control plane (no secret in them). */
import { TLS_PATHS } from "./paths";

/** What a server's agent configs need. */
export interface ServerAgentArgs {
    /** Consul/Nomad datacenter. */
    readonly datacenter: string;
    /** This server's fixed private address. */
    readonly address: string;
    /** Every server's fixed private address (join targets, this one included). */
    readonly serverAddresses: readonly string[];
}

/** Consul server configuration: ACLs default-deny, TLS on the API and RPC; no secret. */
export function consulServerConfig(args: ServerAgentArgs): object {
    return {
        datacenter: args.datacenter,
        data_dir: "/opt/consul",
        server: true,
        bootstrap_expect: args.serverAddresses.length,
        bind_addr: args.address,
        advertise_addr: args.address,
        client_addr: "0.0.0.0",
        // Plain HTTP only on loopback, for the local CLI; HTTPS for everyone else.
        addresses: { http: "127.0.0.1" },
        ports: { http: 8500, https: 8501, grpc_tls: 8503 },
        retry_join: [...args.serverAddresses],
        ui_config: { enabled: true },
        acl: { enabled: true, default_policy: "deny", down_policy: "extend-cache", enable_token_persistence: true },
        tls: {
            defaults: { ca_file: TLS_PATHS.consul.ca, cert_file: TLS_PATHS.consul.cert, key_file: TLS_PATHS.consul.key, verify_incoming: false, verify_outgoing: true },
            internal_rpc: { verify_incoming: true, verify_server_hostname: true },
        },
        // Client agents (the database nodes) get their RPC certificates from the servers.
        auto_encrypt: { allow_tls: true },
    };
}

/** Nomad server configuration: ACLs on, mutual TLS on HTTP and RPC; no secret. */
export function nomadServerConfig(args: ServerAgentArgs): object {
    return {
        datacenter: args.datacenter,
        region: "global",
        data_dir: "/opt/nomad/data",
        bind_addr: "0.0.0.0",
        advertise: { http: args.address, rpc: args.address, serf: args.address },
        server: { enabled: true, bootstrap_expect: args.serverAddresses.length, server_join: { retry_join: [...args.serverAddresses] } },
        acl: { enabled: true },
        tls: {
            http: true,
            rpc: true,
            ca_file: TLS_PATHS.nomad.ca,
            cert_file: TLS_PATHS.nomad.cert,
            key_file: TLS_PATHS.nomad.key,
            verify_server_hostname: true,
            // The API is reached by operators and Pulumi with a token, not a client certificate.
            verify_https_client: false,
        },
        consul: { address: "127.0.0.1:8500" },
    };
}
