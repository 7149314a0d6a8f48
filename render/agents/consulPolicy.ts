/** The Consul ACL policy of a database cluster's agents. */

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
