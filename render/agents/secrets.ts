/**
 * The secret parts of the control-plane servers' agent configurations (gossip keys, tokens),
 * sent over SSH, never in user data.
 */

/** The secret part of a Consul server's configuration. */
export interface ConsulSecrets {
    /** Gossip encryption key (base64 of 32 bytes). */
    readonly gossipKey: string;
    /** The initial management token (a UUID). */
    readonly managementToken: string;
}

/** Consul's secret config file: gossip key and tokens. */
export function consulSecretConfig(s: ConsulSecrets): object {
    return { encrypt: s.gossipKey, acl: { tokens: { initial_management: s.managementToken, agent: s.managementToken } } };
}

/** The secret part of a Nomad server's configuration. */
export interface NomadSecrets {
    /** Nomad's own gossip encryption key (base64 of 32 bytes). */
    readonly gossipKey: string;
    /** The Consul token Nomad registers services with. */
    readonly consulToken: string;
}

/** Nomad's secret config file: gossip key and its Consul token. */
export function nomadSecretConfig(s: NomadSecrets): object {
    return { server: { encrypt: s.gossipKey }, consul: { token: s.consulToken } };
}
