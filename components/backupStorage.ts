import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import * as random from "@pulumi/random";
import { BackupStore, obscure, SECRET_ITEMS } from "../backups";
import { BackupStores } from "../jobs";
import { SecondaryCloud } from "../config";
import { COMPONENT_TYPES } from "../common/tokens";

/** A second cloud for the copies: where it is and the application credential there (its secret a secret config value). */
export interface SecondaryCloudInput {
    /** Its Keystone v3 URL, region and the credential's id (plain config). */
    readonly cloud: SecondaryCloud;
    /** The credential's secret (a Pulumi secret). */
    readonly credentialSecret: pulumi.Input<string>;
}

/** Arguments of {@link BackupStorage}. */
export interface BackupStorageArgs {
    /** The database's name: names the containers and the credential. */
    readonly databaseName: string;
    /** The primary cloud's Keystone URL (the jobs' rclone authenticates there). */
    readonly authUrl: pulumi.Input<string>;
    /** The primary cloud's region. */
    readonly region: pulumi.Input<string>;
    /** The second cloud that receives a copy of every backup, if any. */
    readonly secondary?: SecondaryCloudInput;
    /** When true (dbaas:deleteData), `pulumi destroy` deletes the containers and every backup in them; otherwise they are protected and retained. */
    readonly deleteData: boolean;
}

/** Segments of large objects (rclone's chunk_size; Swift's limit per object is 5 GB). */
export const BACKUP_CHUNK_SIZE = "1G";

/** The container of a database's backups on each cloud (segments go to `<container>_segments`). */
export function backupContainerName(database: string): string {
    return `${database}-backups`;
}

/** An rclone-obscured secret, the same text for the same value (a random IV would change the Variable at every update). */
function obscured(value: pulumi.Output<string>, label: string): pulumi.Output<string> {
    return pulumi.secret(value.apply((v) => obscure(v, createHash("sha256").update(`${label}\0${v}`).digest().subarray(0, 16))));
}

/**
 * Where a database's backups live: a Swift container (and its segments container) on the
 * database's cloud and, with a secondary cloud, on that one through its own provider — all
 * protected and retained on delete: `pulumi destroy` deletes no backup, unless the stack says
 * dbaas:deleteData: true, which deletes them with their containers —; an application
 * credential that may only use Swift, for the jobs; the crypt key and salt (generated, secret),
 * and the Nomad Variable items the jobs' rclone.conf reads.
 */
export class BackupStorage extends pulumi.ComponentResource {
    /** Each cloud's Swift store (plain: no secret in it). */
    public readonly stores: pulumi.Output<BackupStores>;
    /** The rclone items of the jobs' Variables (secret). */
    public readonly items: pulumi.Output<Record<string, string>>;
    /** The crypt key, `password:salt` (secret): what `dbaas:restoreKey` takes to read these backups from another stack. */
    public readonly backupKey: pulumi.Output<string>;
    /** The containers' names (the same on both clouds). */
    public readonly containerName: string;
    /** The containers: their deletion waits for the final backup. */
    public readonly containers: openstack.objectstorage.Container[] = [];

    constructor(name: string, args: BackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.backupStorage, name, {}, opts);
        const db = args.databaseName;
        this.containerName = backupContainerName(db);
        // Kept, unless the operator asked for the data to go (then Swift's objects go with their container).
        const keep = args.deleteData ? {} : { protect: true, retainOnDelete: true };
        const containers = (cloud: string, provider?: pulumi.ProviderResource): void => {
            for (const c of [this.containerName, `${this.containerName}_segments`]) {
                this.containers.push(new openstack.objectstorage.Container(`${name}-${cloud}-${c}`, {
                    name: c,
                    metadata: { "dbaas-database": db, "dbaas-cloud": cloud },
                    forceDestroy: args.deleteData,
                }, { parent: this, ...keep, ...(provider ? { provider } : {}) }));
            }
        };
        containers("primary");

        // The jobs' credential on the primary: restricted, and to Swift requests on these containers only.
        const paths = [this.containerName, `${this.containerName}_segments`].flatMap((c) => [`/v1/*/${c}`, `/v1/*/${c}/**`]);
        const credential = new openstack.identity.ApplicationCredential(`${name}-backups`, {
            name: `${db}-backups`,
            description: `cloud-dbaas: backup jobs of ${db} (Swift, its backup containers only)`,
            unrestricted: false,
            accessRules: paths.flatMap((path) => ["GET", "HEAD", "PUT", "POST", "DELETE"].map((method) => ({ service: "object-store", method, path }))),
        }, { parent: this, additionalSecretOutputs: ["secret"] });

        let secondaryStore: pulumi.Output<BackupStore | undefined> = pulumi.output(undefined);
        const s = args.secondary;
        if (s) {
            const { authUrl, region, credentialId } = s.cloud;
            const provider = new openstack.Provider(`${name}-secondary`, {
                authUrl, region, applicationCredentialId: credentialId, applicationCredentialSecret: pulumi.secret(s.credentialSecret),
            }, { parent: this });
            containers("secondary", provider);
            secondaryStore = pulumi.output({ auth: { kind: "keystone", authUrl, region, applicationCredentialId: credentialId }, container: this.containerName, chunkSize: BACKUP_CHUNK_SIZE });
        }
        this.stores = pulumi.all([args.authUrl, args.region, credential.id, secondaryStore]).apply(([authUrl, region, id, secondary]) => ({
            primary: { auth: { kind: "keystone" as const, authUrl, region, applicationCredentialId: id }, container: this.containerName, chunkSize: BACKUP_CHUNK_SIZE },
            ...(secondary ? { secondary } : {}),
        }));

        // The crypt key: generated once, secret; the same on both clouds (a copy restores with it).
        const random32 = (what: string) => pulumi.secret(new random.RandomPassword(`${name}-crypt-${what}`, { length: 32, special: false }, { parent: this, additionalSecretOutputs: ["result"] }).result);
        const password = random32("password");
        const salt = random32("salt");
        this.backupKey = pulumi.secret(pulumi.interpolate`${password}:${salt}`);
        this.items = pulumi.secret(pulumi.all([obscured(password, "password"), obscured(salt, "salt"), credential.secret, s ? pulumi.output(s.credentialSecret) : pulumi.output("")])
            .apply(([p, sa, primarySecret, secondarySecret]) => ({
                ...cryptItems("primary", p, sa, primarySecret),
                ...(s ? cryptItems("secondary", p, sa, secondarySecret) : {}),
            })));
        this.registerOutputs({ containerName: this.containerName });
    }
}

/** One cloud's Variable items: the obscured crypt password and salt, the Swift secret. */
export function cryptItems(cloud: "primary" | "secondary", password: string, salt: string, swiftSecret: string): Record<string, string> {
    return { [SECRET_ITEMS.cryptPassword(cloud)]: password, [SECRET_ITEMS.cryptSalt(cloud)]: salt, [SECRET_ITEMS.swiftSecret(cloud)]: swiftSecret };
}

/**
 * The Variable items that read another database's backups on one of these clouds with its
 * crypt key (`password:salt`, the source's backupKey): this stack's Swift secret of that cloud.
 */
export function sourceItems(storage: BackupStorage, cloud: "primary" | "secondary", key: pulumi.Input<string>): pulumi.Output<Record<string, string>> {
    const k = pulumi.output(key);
    const part = (i: 0 | 1) => k.apply((v) => v.split(":")[i] ?? "");
    return pulumi.secret(pulumi.all([obscured(part(0), "password"), obscured(part(1), "salt"), storage.items]).apply(([p, s, items]) =>
        cryptItems(cloud, p, s, items[SECRET_ITEMS.swiftSecret(cloud)] ?? "")));
}
