/** The Consul ACL policy of a database cluster's agents. */
import { restoreDrillPath } from "../catalog";

/** What a cluster's Consul agent policy covers. */
export interface AgentPolicyArgs {
    /** The cluster's node names. */
    readonly nodes: readonly string[];
    /** The database's Consul service name. */
    readonly service: string;
}

/** The service the Nomad client registers itself as in Consul (Nomad's default `client_service_name`). */
export const NOMAD_CLIENT_SERVICE = "nomad-client";

/**
 * Consul ACL rules (JSON form) of a cluster's agents: write their own nodes, read their own
 * agents (Nomad fingerprints Consul through the agent API: without it, no job with a Consul
 * service can be placed), register the database's service and the Nomad client's, read the
 * catalog to resolve the servers, and read the database's last restore drill (`dbaas status` shows
 * it, read on a node with that node's token); nothing else.
 */
export function agentPolicyRules(args: AgentPolicyArgs): string {
    return JSON.stringify({
        node: Object.fromEntries(args.nodes.map((n) => [n, { policy: "write" }])),
        agent: Object.fromEntries(args.nodes.map((n) => [n, { policy: "read" }])),
        service: { [args.service]: { policy: "write" }, [NOMAD_CLIENT_SERVICE]: { policy: "write" } },
        node_prefix: { "": { policy: "read" } },
        service_prefix: { "": { policy: "read" } },
        key: { [restoreDrillPath(args.service)]: { policy: "read" } },
    }, null, 2);
}
