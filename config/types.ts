/**
 * The typed stack configuration of cloud-dbaas: what the program reads (after validation,
 * config/parse.ts) and how each key is described (config/keys/).
 *
 * Pure: no Pulumi import.
 */
import { DatabaseUser, EngineName, ResolvedVersion } from "../engines";

/** Every config value of the stack, all namespaces ("dbaas:name", "openstack:cloud", ...), as Pulumi hands them: strings. */
export type RawConfig = Readonly<Record<string, string>>;

/** The namespace of our keys. */
export const CONFIG_NAMESPACE = "dbaas";

/** The two kinds of stack this program builds. */
export type StackKind = "control-plane" | "database";


/** An existing Neutron network and subnet to put the control plane on instead of creating them. */
export interface ExistingNetwork {
    readonly networkId: string;
    readonly subnetId: string;
}

/** What an extra user of a database may do in its schemas (the engines' type). */
export type { Access as UserAccess, DatabaseUser } from "../engines";

/** A second cloud that keeps a copy of every backup (disaster recovery). */
export interface SecondaryCloud {
    /** Its Keystone v3 URL. */
    readonly authUrl: string;
    readonly region: string;
    /** The id of an application credential of that cloud (its secret: `dbaas:backupSecondarySecret`). */
    readonly credentialId: string;
}

/** `dbaas:backup`: when backups run, what is kept, when the restore drill runs, and the secondary cloud. */
export interface BackupConfig {
    /** Cron expression (UTC) of the backup job. */
    readonly schedule: string;
    /** Days (with a backup) whose newest backup is kept. */
    readonly daily: number;
    /** ISO weeks (with a backup) whose newest backup is kept. */
    readonly weekly: number;
    /** Cron expression (UTC) of the restore drill. */
    readonly drillSchedule: string;
    /** The second cloud that receives a verified copy of each backup. */
    readonly secondary?: SecondaryCloud;
}

/** `dbaas:restoreFrom`: the backup a new database starts from. */
export interface RestoreFromConfig {
    /** The Swift container holding the source database's backups. */
    readonly container: string;
    /** Which cloud that container is on. */
    readonly cloud: "primary" | "secondary";
    /** A backup id, or "latest". */
    readonly backup: string;
    /** The source database's name (the prefix of its backup ids); default: this database's. */
    readonly database?: string;
}

/** Keys common to both kinds of stack. */
export interface CommonConfig {
    /** Nova flavor name of the servers. */
    readonly flavor: string;
    /** Glance image name (a Debian 12 image). */
    readonly image: string;
    /** Linux user cloud-init creates for SSH (default "debian"). */
    readonly sshUser: string;
}

/** The configuration of the control-plane stack (Consul + Nomad servers, bastion, network). */
export interface ControlPlaneConfig extends CommonConfig {
    readonly kind: "control-plane";
    /** External network name: router gateway and floating IP pool. */
    readonly externalNetwork: string;
    /** CIDRs allowed to reach the bastion's SSH and the Nomad/Consul APIs (normalized, never a /0). */
    readonly operatorCidrs: readonly string[];
    /** Number of Consul + Nomad servers. */
    readonly servers: 3 | 5;
    /** CIDR of the subnet to create; set exactly when `existingNetwork` is not. */
    readonly subnetCidr?: string;
    /** An existing network and subnet to use; when set, no network is created and `subnetCidr` is absent. */
    readonly existingNetwork?: ExistingNetwork;
    /** DNS servers of the created subnet. */
    readonly dnsNameservers: readonly string[];
    /** Nova flavor of the bastion (default: `flavor`). */
    readonly bastionFlavor: string;
    /** Consul/Nomad datacenter name. */
    readonly datacenter: string;
    readonly consulVersion: string;
    readonly nomadVersion: string;
}

/** The configuration of one database stack (a Pacemaker cluster running one engine). */
export interface DatabaseConfig extends CommonConfig {
    readonly kind: "database";
    /** Name of the control-plane stack, for a StackReference: "stack", "project/stack" or "org/project/stack". */
    readonly controlPlane: string;
    readonly engine: EngineName;
    /** The resolved `dbaas:version`: the release line, the exact minor and its image. */
    readonly version: ResolvedVersion;
    /** Database name: a DNS label that is also a safe engine identifier. */
    readonly name: string;
    /** Size of the data volume in GB. */
    readonly sizeGb: number;
    /** Number of cluster nodes. */
    readonly nodes: 2 | 3;
    /** CIDRs allowed to reach the engine port (normalized, never a /0). */
    readonly allowedCidrs: readonly string[];
    /** External network name for the database's floating IP. */
    readonly floatingIpPool: string;
    readonly fstype: "xfs" | "ext4";
    /** When true, `pulumi destroy` deletes the data volume (otherwise it is retained). */
    readonly deleteData: boolean;
    /** Cinder volume type of the data volume (the cloud's default when absent). */
    readonly volumeType?: string;
    /** Schemas created in the database, owned by its owner. */
    readonly schemas: readonly string[];
    /** Extra users, each with its access to the schemas. */
    readonly users: readonly DatabaseUser[];
    /** Keystone v3 URL the nodes' agents (volume, floating IP, fencing) authenticate against. */
    readonly authUrl: string;
    /** OpenStack region of the nodes' agents. */
    readonly region: string;
    /** Backups: schedule, retention, drill, secondary cloud. */
    readonly backup: BackupConfig;
    /** The secondary cloud's application credential secret (set exactly when `backup.secondary` is). */
    readonly backupSecondarySecret?: string;
    /** The backup this new database is restored from before it serves. */
    readonly restoreFrom?: RestoreFromConfig;
    /** The source's crypt key (`password:salt`, its `backupKey` output); set exactly when `restoreFrom` is. */
    readonly restoreKey?: string;
}

/** The parsed configuration of a stack, discriminated on `kind`. */
export type StackConfig = ControlPlaneConfig | DatabaseConfig;

/** How a key's value is written in the stack config. */
export type ConfigValueType = "string" | "integer" | "boolean" | "json-list" | "json-object";

/** Machine-readable description of one `dbaas:` key. */
export interface ConfigKeyInfo {
    /** Name after the namespace, e.g. "sizeGb". */
    readonly name: string;
    /** Full key, e.g. "dbaas:sizeGb". */
    readonly key: string;
    /** Stack kinds the key applies to. */
    readonly kinds: readonly StackKind[];
    readonly required: boolean;
    /** Default when optional and absent (typed value); undefined when there is none or it is derived. */
    readonly default?: string | number | boolean | readonly string[] | readonly object[];
    /** Human description of the default, e.g. `"debian"` or "the value of flavor". */
    readonly defaultText?: string;
    readonly type: ConfigValueType;
    /** The accepted values, as a sentence fragment (used in error messages). */
    readonly accepted: string;
    /** The complete list of accepted values, for enumerations. */
    readonly values?: readonly (string | number)[];
    /** Whether the value must be set with `pulumi config set --secret`. */
    readonly secret: boolean;
    /** What the key does. */
    readonly description: string;
}
