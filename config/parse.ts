/**
 * Parses a stack's config: every `dbaas:` key checked against its rule, types converted,
 * defaults applied, cross-key rules applied; every problem collected into one ConfigError.
 *
 * Pure: no Pulumi import. The stack program hands it every config value of the stack as strings
 * (`pulumi.runtime.allConfig()`); only the `dbaas:` namespace is ours.
 */
import { ENGINES, EngineName, resolveVersion } from "../engines";
import { ConfigError, ConfigProblem } from "./errors";
import { BOTH, KEY_DEFS, KeyDef } from "./keys";
import { editDistance } from "./rules";
import { backupCrossRules } from "./backupCross";
import { DEFAULT_BACKUP } from "./backupRules";
import { BackupConfig, RestoreFromConfig, CommonConfig, CONFIG_NAMESPACE, DatabaseUser, ControlPlaneConfig, DatabaseConfig, ExistingNetwork, RawConfig, StackConfig, StackKind } from "./types";

function closestKey(name: string, candidates: readonly KeyDef[]): KeyDef | undefined {
    let best: KeyDef | undefined;
    let bestD = Infinity;
    for (const c of candidates) {
        const d = editDistance(name, c.name);
        if (d < bestD) {
            best = c;
            bestD = d;
        }
    }
    return best !== undefined && bestD <= Math.max(1, Math.min(3, Math.floor(best.name.length / 3))) ? best : undefined;
}

/** Options of `parseStackConfig`. */
export interface ParseOptions {
    /**
     * Keys whose values are secret: their values are never echoed in problems (e.g. from
     * `pulumi.isConfigSecret`). When given, a key that must be secret and is not is refused.
     */
    readonly secretKeys?: Iterable<string>;
}

/**
 * Reads the `dbaas:` keys of a stack's config, checks every one, converts types and applies
 * defaults. Keys of other namespaces are ignored. Throws a `ConfigError` listing every problem.
 */
export function parseStackConfig(raw: RawConfig, options: ParseOptions = {}): StackConfig {
    const secret = new Set(options.secretKeys ?? []);
    const problems: ConfigProblem[] = [];
    const report = (key: string, value: string | undefined, message: string): void => {
        problems.push({ key, value: value !== undefined && secret.has(key) ? "[secret]" : value, message });
    };
    const prefix = `${CONFIG_NAMESPACE}:`;
    const byName = new Map(KEY_DEFS.map((d) => [d.name, d]));

    const ours = Object.keys(raw)
        .filter((k) => k.startsWith(prefix))
        .map((k) => [k.slice(prefix.length), raw[k]!] as const);
    const present = new Map<string, string>(ours);

    // The kind first: it decides which keys belong.
    const kindText = present.get("kind");
    let kind: StackKind | undefined;
    if (kindText !== undefined) {
        const c = byName.get("kind")!.rule.check(kindText);
        if (c.ok) kind = c.value as StackKind;
    }
    const values = new Map<string, unknown>();

    for (const [name, value] of ours) {
        const key = `${prefix}${name}`;
        const d = byName.get(name);
        if (d === undefined) {
            const candidates = kind === undefined ? KEY_DEFS : KEY_DEFS.filter((k) => k.kinds.includes(kind!));
            const near = closestKey(name, candidates);
            report(key, value, near ? `is not a known key; did you mean ${near.key}?` : `is not a known key; known keys: ${candidates.map((k) => k.name).join(", ")}`);
            continue;
        }
        if (kind !== undefined && !d.kinds.includes(kind)) {
            const near = closestKey(name, KEY_DEFS.filter((k) => k.kinds.includes(kind!)));
            report(key, value, `is not a key of a ${kind} stack (it belongs to ${d.kinds.join("/")} stacks)${near ? `; did you mean ${near.key}?` : ""}`);
            continue;
        }
        if (d.secret && options.secretKeys !== undefined && !secret.has(key)) {
            report(key, "[not shown]", `is a secret: set it with pulumi config set --secret ${key} (its value is now in clear in the stack file; rotate it)`);
            continue;
        }
        const c = d.rule.check(value);
        if (c.ok) values.set(name, c.value);
        else for (const m of c.messages) report(key, value, m);
    }

    // Missing required keys: those of the kind, or (kind unknown) those common to both kinds.
    for (const d of KEY_DEFS) {
        const applies = kind === undefined ? d.kinds.length === BOTH.length : d.kinds.includes(kind);
        if (applies && d.required && !present.has(d.name)) report(d.key, undefined, `is required: ${d.accepted}`);
    }

    // Cross-key rules.
    const engine = values.get("engine") as EngineName | undefined;
    const versionText = present.get("version");
    if (engine !== undefined && versionText !== undefined && (kind === undefined || kind === "database")) {
        const resolved = resolveVersion(engine, versionText);
        if (resolved.ok) values.set("version", resolved.version);
        else {
            values.delete("version");
            report(`${prefix}version`, versionText, resolved.message);
        }
    } else {
        values.delete("version");
    }
    // Users and schemas: names the engine takes (its reserved names; not the owner's, the database's name).
    const database = values.get("name") as string | undefined;
    if (engine !== undefined && database !== undefined) {
        for (const u of (values.get("users") ?? []) as readonly DatabaseUser[]) {
            const why = ENGINES[engine].checkUserName(u.name, database);
            if (why) report(`${prefix}users`, present.get("users"), `user "${u.name}": ${why}`);
        }
        for (const schema of (values.get("schemas") ?? []) as readonly string[]) {
            const why = ENGINES[engine].checkSchemaName(schema, database);
            if (why) report(`${prefix}schemas`, present.get("schemas"), `schema "${schema}": ${why}`);
        }
    }
    if (kind === "database") backupCrossRules(values, present, (k, v, m) => report(`${prefix}${k}`, v, m));
    if (kind !== "database" && present.has("existingNetwork") && present.has("subnetCidr")) {
        report(`${prefix}subnetCidr`, present.get("subnetCidr"), "must not be set together with dbaas:existingNetwork (the subnet of an existing network is not created); remove one of them");
    }

    // A missing or bad kind has been reported above, with everything else that could be checked.
    if (problems.length > 0 || kind === undefined) throw new ConfigError(problems);

    const get = <T>(name: string): T => {
        if (values.has(name)) return values.get(name) as T;
        const d = byName.get(name)!;
        return (Array.isArray(d.default) ? Object.freeze([...d.default]) : d.default) as T;
    };
    const optional = <T>(name: string): Record<string, T> => (values.has(name) ? { [name]: values.get(name) as T } : {});
    const common: CommonConfig = { flavor: get("flavor"), image: get("image"), sshUser: get("sshUser") };

    if (kind === "control-plane") {
        const existingNetwork = get<ExistingNetwork | undefined>("existingNetwork");
        const cfg: ControlPlaneConfig = {
            kind,
            ...common,
            externalNetwork: get("externalNetwork"),
            operatorCidrs: Object.freeze([...get<readonly string[]>("operatorCidrs")]),
            servers: get("servers"),
            ...(existingNetwork !== undefined ? { existingNetwork } : { subnetCidr: get<string>("subnetCidr") }),
            dnsNameservers: Object.freeze([...get<readonly string[]>("dnsNameservers")]),
            bastionFlavor: values.has("bastionFlavor") ? get("bastionFlavor") : common.flavor,
            datacenter: get("datacenter"),
            consulVersion: get("consulVersion"),
            nomadVersion: get("nomadVersion"),
        };
        return Object.freeze(cfg);
    }
    const volumeType = get<string | undefined>("volumeType");
    const cfg: DatabaseConfig = {
        kind,
        ...common,
        controlPlane: get("controlPlane"),
        engine: get("engine"),
        version: get("version"),
        name: get("name"),
        sizeGb: get("sizeGb"),
        nodes: get("nodes"),
        allowedCidrs: Object.freeze([...get<readonly string[]>("allowedCidrs")]),
        floatingIpPool: get("floatingIpPool"),
        fstype: get("fstype"),
        deleteData: get("deleteData"),
        ...(volumeType !== undefined ? { volumeType } : {}),
        schemas: Object.freeze([...get<readonly string[]>("schemas")]),
        users: Object.freeze([...get<readonly DatabaseUser[]>("users")]),
        authUrl: get("authUrl"),
        region: get("region"),
        backup: values.has("backup") ? get<BackupConfig>("backup") : DEFAULT_BACKUP,
        ...optional<string>("backupSecondarySecret"),
        ...optional<RestoreFromConfig>("restoreFrom"),
        ...optional<string>("restoreKey"),
    };
    return Object.freeze(cfg);
}
