/**
 * Generated files of a database cluster's nodes, besides the Pacemaker configuration itself
 * (pacemaker.ts): the agents' clouds.yaml, the Consul ACL policy of the cluster's agents, the
 * Consul and Nomad client configurations, and the script that applies the Pacemaker
 * configuration atomically and harmlessly when re-run.
 */
import { stringify } from "yaml";
import { TLS_PATHS } from "./agents";

/** The clouds.yaml entry name the resource and fence agents use. */
export const CLOUD_NAME = "dbaas";

/** Where the agents' clouds.yaml lives (openstacksdk reads /etc/openstack/clouds.yaml). */
export const CLOUDS_YAML_PATH = "/etc/openstack/clouds.yaml";

/** What the agents' clouds.yaml needs (the secret is a Pulumi secret until written over SSH). */
export interface CloudsYamlArgs {
    /** Keystone v3 URL. */
    readonly authUrl: string;
    /** Region. */
    readonly region: string;
    /** Application credential id. */
    readonly credentialId: string;
    /** Application credential secret. */
    readonly credentialSecret: string;
}

/** clouds.yaml with one entry authenticating by application credential. */
export function cloudsYaml(args: CloudsYamlArgs): string {
    return stringify({
        clouds: {
            [CLOUD_NAME]: {
                auth_type: "v3applicationcredential",
                auth: { auth_url: args.authUrl, application_credential_id: args.credentialId, application_credential_secret: args.credentialSecret },
                region_name: args.region,
                interface: "public",
                identity_api_version: 3,
            },
        },
    });
}

/** What a cluster's Consul agent policy covers. */
export interface AgentPolicyArgs {
    /** The cluster's node names. */
    readonly nodes: readonly string[];
    /** The database's Consul service name. */
    readonly service: string;
}

/**
 * Consul ACL rules (JSON form) of a cluster's agents: write their own nodes and the database's
 * service (and its sidecar checks), read the catalog to resolve the servers; nothing else.
 */
export function agentPolicyRules(args: AgentPolicyArgs): string {
    return JSON.stringify({
        node: Object.fromEntries(args.nodes.map((n) => [n, { policy: "write" }])),
        service: { [args.service]: { policy: "write" } },
        node_prefix: { "": { policy: "read" } },
        service_prefix: { "": { policy: "read" } },
    }, null, 2);
}

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
            host_volume: { data: { path: a.mountpoint, read_only: false } },
        },
        acl: { enabled: true },
        tls: { http: true, rpc: true, ca_file: TLS_PATHS.nomad.ca, cert_file: TLS_PATHS.nomad.cert, key_file: TLS_PATHS.nomad.key, verify_server_hostname: true },
        consul: { address: "127.0.0.1:8500" },
        plugin: { docker: { config: { volumes: { enabled: true } } } },
    };
}

/**
 * Bash that rebuilds our part of a CIB file ($1) from scratch: drops every resource and
 * constraint, then runs the generated configuration (configure.sh, beside it) on it. Run on a
 * copy of the live CIB, the result is the same whatever was there before — so re-applying is
 * harmless, and an unchanged configuration pushes as no change (Pacemaker restarts nothing).
 */
export function reapplyScript(): string {
    return [
        "#!/usr/bin/env bash",
        "# Rebuilds the cluster's resources and constraints in a CIB file; generated by render/cluster.ts.",
        "set -euo pipefail",
        'cib="${1:?usage: reapply.sh CIB_FILE}"',
        'here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
        // Constraints first: they refer to the resources.
        "CIB_file=\"$cib\" cibadmin --replace --scope constraints --xml-text '<constraints/>'",
        "CIB_file=\"$cib\" cibadmin --replace --scope resources --xml-text '<resources/>'",
        'bash "$here/configure.sh" "$cib"',
        "",
    ].join("\n");
}

/**
 * Bash run as root on the first node: applies the generated Pacemaker configuration
 * atomically — `pcs cluster cib FILE`, the generated script on FILE, `pcs cluster cib-push FILE
 * --config` — so the cluster never sees a half-written configuration.
 */
export function applyScript(configure: string): string {
    const marker = "DBAAS_GENERATED_EOF";
    if (configure.includes(marker)) throw new Error("generated script contains the heredoc marker");
    return [
        "#!/usr/bin/env bash",
        "# Applies the generated Pacemaker configuration atomically; generated by render/cluster.ts.",
        "set -euo pipefail",
        'work="$(mktemp -d)"',
        "trap 'rm -rf \"$work\"' EXIT",
        `cat > "$work/configure.sh" <<'${marker}'`,
        configure.replace(/\n$/, ""),
        marker,
        `cat > "$work/reapply.sh" <<'${marker}'`,
        reapplyScript().replace(/\n$/, ""),
        marker,
        'pcs cluster cib "$work/cib.xml"',
        'bash "$work/reapply.sh" "$work/cib.xml"',
        'pcs cluster cib-push "$work/cib.xml" --config',
        "",
    ].join("\n");
}
