/** The keys of a database stack. */
import { ENGINE_NAMES, ENGINES, EngineName } from "../../engines";
import { booleanRule, choiceRule, cidrListRule, databaseNameRule, enumRule, integerRule, nameRule, ok, patternRule, schemasRule, stackRefRule, usersRule } from "../rules";
import { DATABASE, key, KeyDef } from "./key";
import { backupRule, DEFAULT_BACKUP, restoreFromRule, restoreKeyRule, secretTextRule } from "../backupRules";

const ALL_VERSIONS_TEXT = ENGINE_NAMES.map((e) => `${e}: ${ENGINES[e].versions.join(", ")}`).join("; ");

/** A database stack's own keys, in README order. */
export const DATABASE_KEYS: readonly KeyDef[] = [
    key({
        name: "controlPlane", kinds: DATABASE, required: true, type: "string", rule: stackRefRule,
        description: "The control-plane stack this database runs under (read through a StackReference).",
    }),
    key({ name: "engine", kinds: DATABASE, required: true, type: "string", rule: enumRule<EngineName>(ENGINE_NAMES), description: "Database engine." }),
    key({
        name: "version", kinds: DATABASE, required: true, type: "string",
        // Checked against the engine by the parser (a cross-key rule).
        rule: { accepted: `a version the engine supports (${ALL_VERSIONS_TEXT}), or an exact minor release of one, e.g. "16.9"`, check: (v) => ok(v) },
        description: "Engine version: a PostgreSQL major version or MariaDB series (the program pins its minor release), or an exact minor release.",
    }),
    key({
        name: "name", kinds: DATABASE, required: true, type: "string", rule: databaseNameRule,
        description: "Database name: names the cluster, its resources and the database created in the engine.",
    }),
    key({
        name: "sizeGb", kinds: DATABASE, required: true, type: "integer",
        rule: integerRule<number>("a whole number of GB from 1 to 16384", (n) => n >= 1 && n <= 16384),
        description: "Size of the data volume in GB.",
    }),
    key({ name: "nodes", kinds: DATABASE, required: false, default: 2, defaultText: "2", type: "integer", rule: choiceRule<2 | 3>([2, 3]), description: "Number of cluster nodes." }),
    key({
        name: "allowedCidrs", kinds: DATABASE, required: true, type: "json-list",
        rule: cidrListRule(`["10.0.0.0/8"]`, "a database must not be open to the whole Internet"),
        description: "Networks allowed to reach the engine port.",
    }),
    key({
        name: "floatingIpPool", kinds: DATABASE, required: true, type: "string", rule: nameRule("an external Neutron network"),
        description: "External network of the database's floating IP.",
    }),
    key({
        name: "fstype", kinds: DATABASE, required: false, default: "xfs", defaultText: `"xfs"`, type: "string", rule: enumRule(["xfs", "ext4"] as const),
        description: "File system of the data volume.",
    }),
    key({
        name: "deleteData", kinds: DATABASE, required: false, default: false, defaultText: "false", type: "boolean", rule: booleanRule,
        description: "When true, `pulumi destroy` deletes the data volume and the backups; otherwise they are retained (and a final backup is taken).",
    }),
    key({
        name: "volumeType", kinds: DATABASE, required: false, defaultText: "the cloud's default volume type", type: "string",
        rule: nameRule("a Cinder volume type"), description: "Cinder volume type of the data volume.",
    }),
    key({
        name: "schemas", kinds: DATABASE, required: false, default: [], defaultText: "[] (only the engine's default schema)", type: "json-list", rule: schemasRule,
        description: "Schemas created in the database, owned by the database's owner (a user named like the database).",
    }),
    key({
        name: "users", kinds: DATABASE, required: false, default: [], defaultText: "[] (only the owner)", type: "json-list", rule: usersRule,
        description: "Extra users of the database, each with read or write access to the tables of its schemas; their passwords are generated (Pulumi secrets).",
    }),
    key({
        name: "authUrl", kinds: DATABASE, required: true, type: "string",
        rule: patternRule(/^https:\/\/[^\s/$.?#][^\s]*$/, "the https URL of the cloud's Keystone v3 endpoint (e.g. https://keystone.example.org:5000/v3)"),
        description: "Keystone URL the cluster's resource and fence agents use, with the application credential the stack creates.",
    }),
    key({
        name: "region", kinds: DATABASE, required: false, default: "RegionOne", defaultText: `"RegionOne"`, type: "string",
        rule: nameRule("an OpenStack region"), description: "OpenStack region of the cluster's resource and fence agents.",
    }),
    key({
        name: "backup", kinds: DATABASE, required: false, default: JSON.stringify(DEFAULT_BACKUP),
        defaultText: `daily at 03:00 UTC, 7 daily + 4 weekly kept, drill on Sundays at 04:30 UTC, no secondary`, type: "json-object", rule: backupRule,
        description: "Backups to the database's Swift container (encrypted, streamed, pruned), a verified copy in a second cloud when `secondary` is set, and the restore drill's schedule.",
    }),
    key({
        name: "backupSecondarySecret", kinds: DATABASE, required: false, defaultText: "— (required with a secondary cloud)", type: "string", rule: secretTextRule, secret: true,
        description: "Secret of the secondary cloud's application credential (creates the container there, and the jobs' rclone uses it).",
    }),
    key({
        name: "restoreFrom", kinds: DATABASE, required: false, defaultText: "— (an empty database)", type: "json-object", rule: restoreFromRule,
        description: "A new database starts from this backup: restored after the engine starts and before the owner and users exist (the configure job waits for it).",
    }),
    key({
        name: "restoreKey", kinds: DATABASE, required: false, defaultText: "— (required with restoreFrom)", type: "string", rule: restoreKeyRule, secret: true,
        description: "The crypt key of the backups restoreFrom reads: the source stack's backupKey output.",
    }),
];
