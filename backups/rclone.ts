/**
 * The rclone config of the backup and restore tasks: per cloud, a Swift remote
 * (`<cloud>_store`) and a crypt remote over the database's container (`<cloud>`), the only
 * remote the scripts name. Secret values are not inputs: every secret item is written as
 * `secret(item)`, which the job builder makes a Nomad template expression reading the Nomad
 * Variable (so the jobspec holds no secret) and the tests make the value itself.
 */
import { renderIni, IniSection } from "./ini";
import { Cloud, REMOTES, SECRET_ITEMS } from "./contract";

/** How rclone authenticates to one cloud's Swift. */
export type SwiftAuth =
    /** Swift's tempauth (v1 auth; the test all-in-one). The key is secret item `<cloud>_swift_secret`. */
    | { readonly kind: "tempauth"; readonly authUrl: string; readonly user: string }
    /** Keystone v3 with an application credential; its secret is the item `<cloud>_swift_secret`. */
    | { readonly kind: "keystone"; readonly authUrl: string; readonly region: string; readonly applicationCredentialId: string };

/** One cloud's storage for backups. */
export interface BackupStore {
    readonly auth: SwiftAuth;
    /** The Swift container of this database's backups (segments go to `<container>_segments`). */
    readonly container: string;
    /** Segment size of large objects (rclone size syntax, e.g. `1G`; Swift's limit is 5G). */
    readonly chunkSize: string;
}

/** Produces the text that stands for a secret item in the config. */
export type SecretRef = (item: string) => string;

/** A Nomad template expression reading `item` from the Nomad Variable at `path`. */
export function nomadVariableRef(path: string): SecretRef {
    if (!/^[A-Za-z0-9_\-/.]+$/.test(path)) throw new Error(`Nomad Variable path ${JSON.stringify(path)} is not plain`);
    return (item) => `{{ with nomadVar ${JSON.stringify(path)} }}{{ .${item} }}{{ end }}`;
}

/** Literal values (tests): fails on an item it does not have. */
export function literalRef(values: Readonly<Record<string, string>>): SecretRef {
    return (item) => {
        const v = values[item];
        if (v === undefined) throw new Error(`no value for secret item ${item}`);
        return v;
    };
}

const CONTAINER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/;
const SIZE = /^[1-9][0-9]*[KMG]?$/;

function swiftSection(cloud: Cloud, store: BackupStore, secret: SecretRef): IniSection {
    if (!CONTAINER.test(store.container)) throw new Error(`backup container ${JSON.stringify(store.container)}: letters, digits, . _ - only`);
    if (!SIZE.test(store.chunkSize)) throw new Error(`chunk size ${JSON.stringify(store.chunkSize)}: a number with an optional K, M or G suffix`);
    const a = store.auth;
    const auth: Record<string, string | number> = a.kind === "tempauth"
        ? { auth: a.authUrl, user: a.user, key: secret(SECRET_ITEMS.swiftSecret(cloud)), auth_version: 1 }
        : {
            auth: a.authUrl, auth_version: 3, region: a.region, application_credential_id: a.applicationCredentialId,
            application_credential_secret: secret(SECRET_ITEMS.swiftSecret(cloud)),
        };
    return { name: `${REMOTES[cloud]}_store`, entries: { type: "swift", env_auth: false, ...auth, chunk_size: store.chunkSize } };
}

function cryptSection(cloud: Cloud, store: BackupStore, secret: SecretRef): IniSection {
    return {
        name: REMOTES[cloud],
        entries: {
            type: "crypt", remote: `${REMOTES[cloud]}_store:${store.container}`,
            filename_encryption: "standard", directory_name_encryption: true,
            password: secret(SECRET_ITEMS.cryptPassword(cloud)), password2: secret(SECRET_ITEMS.cryptSalt(cloud)),
        },
    };
}

/** The rclone.conf text: each cloud's remotes (both for the jobs; the secondary alone restores after a disaster). */
export function rcloneConfig(stores: { readonly primary?: BackupStore; readonly secondary?: BackupStore }, secret: SecretRef): string {
    const sections: IniSection[] = [];
    for (const cloud of ["primary", "secondary"] as const) {
        const store = stores[cloud];
        if (store) sections.push(swiftSection(cloud, store, secret), cryptSection(cloud, store, secret));
    }
    if (sections.length === 0) throw new Error("rclone config: no cloud");
    return renderIni(sections);
}
