/** Where the agents' files live on a machine. */

/** Where the agents' TLS material lives on a machine. */
export const TLS_PATHS = {
    consul: { ca: "/etc/consul.d/tls/ca.pem", cert: "/etc/consul.d/tls/agent.pem", key: "/etc/consul.d/tls/agent-key.pem" },
    nomad: { ca: "/etc/nomad.d/tls/ca.pem", cert: "/etc/nomad.d/tls/agent.pem", key: "/etc/nomad.d/tls/agent-key.pem" },
} as const;

/** The Consul agent's secret settings (gossip key; on database nodes, its ACL token as `acl.tokens.default`). */
export const CONSUL_SECRETS_PATH = "/etc/consul.d/secrets.json";
