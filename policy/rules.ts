/**
 * The guardrails of cloud-dbaas, as plain functions over a small resource shape.
 *
 * Both the policy pack (`policy/index.ts`, from `@pulumi/policy`'s `PolicyResource`s) and the
 * tests (from the mock runtime's registrations, `testing/harness.ts`) produce `CheckedResource`s,
 * so the very same code decides in CI and in mocha. Nothing here imports `@pulumi/policy` or
 * `@pulumi/pulumi`: importing this file starts no server and needs no engine.
 *
 * Every policy returns `Violation`s that name the resource (logical name and URN) and why.
 */
import { ENGINE_NAMES, ENGINES } from "../engines";

/** A value the engine does not know yet (a computed output during `pulumi preview`). */
export const UNKNOWN: unique symbol = Symbol("unknown");

/** One resource, as every policy sees it. */
export interface CheckedResource {
    /** Type token, e.g. `openstack:compute/instance:Instance`. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    readonly urn: string;
    /** Properties (Pulumi names, camelCase); a value the engine does not know yet is {@link UNKNOWN}. */
    readonly props: Readonly<Record<string, unknown>>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** The parent's URN. */
    readonly parent?: string;
    /** URNs this resource depends on (explicit and through its inputs), when known. */
    readonly dependsOn?: readonly string[];
}

/** Stack configuration, as the program receives it: full keys (`dbaas:allowedCidrs`), string values. */
export type StackConfig = Readonly<Record<string, string | undefined>>;

/** Why a policy objects, and to which resource. */
export interface Violation {
    readonly policy: string;
    /** The URN of the resource in violation (absent: the stack as a whole). */
    readonly urn?: string;
    /** Its logical name (absent: the stack as a whole). */
    readonly name?: string;
    readonly message: string;
}

/** A policy: every resource of the stack (and its config) in, violations out. */
export type StackPolicy = (resources: readonly CheckedResource[], config: StackConfig) => Violation[];

/** A policy with the name and description the policy pack publishes. */
export interface PolicyDefinition {
    readonly name: string;
    readonly description: string;
    readonly check: StackPolicy;
}

// ---------------------------------------------------------------------------------------------
// Resource types and the shared helpers.

export const TYPES = {
    secGroupRule: "openstack:networking/secGroupRule:SecGroupRule",
    volume: "openstack:blockstorage/volume:Volume",
    container: "openstack:objectstorage/container:Container",
    instance: "openstack:compute/instance:Instance",
    serverGroup: "openstack:compute/serverGroup:ServerGroup",
    remoteCommand: "command:remote:Command",
    database: "dbaas:index:Database",
    controlPlane: "dbaas:index:ControlPlane",
    bastion: "dbaas:index:Bastion",
} as const;

/** Ports that only the cluster and the bastion may reach: never the whole Internet. */
export const ADMIN_PORTS: readonly { readonly service: string; readonly protocol: "tcp" | "udp"; readonly from: number; readonly to: number }[] = [
    { service: "SSH", protocol: "tcp", from: 22, to: 22 },
    { service: "corosync", protocol: "udp", from: 5404, to: 5406 },
    { service: "pcsd", protocol: "tcp", from: 2224, to: 2224 },
    { service: "Nomad (HTTP, RPC, Serf)", protocol: "tcp", from: 4646, to: 4648 },
    { service: "Nomad Serf", protocol: "udp", from: 4648, to: 4648 },
    { service: "Consul server RPC and Serf", protocol: "tcp", from: 8300, to: 8302 },
    { service: "Consul Serf", protocol: "udp", from: 8301, to: 8302 },
    { service: "Consul HTTP", protocol: "tcp", from: 8500, to: 8500 },
    { service: "Consul HTTPS", protocol: "tcp", from: 8501, to: 8501 },
    { service: "Consul DNS", protocol: "tcp", from: 8600, to: 8600 },
    { service: "Consul DNS", protocol: "udp", from: 8600, to: 8600 },
];

/** The engines' ports: reachable only from the stack's `dbaas:allowedCidrs`. */
export const ENGINE_PORTS: readonly { readonly engine: string; readonly port: number }[] = ENGINE_NAMES.map((e) => ({ engine: ENGINES[e].title, port: ENGINES[e].port }));

function violation(policy: string, r: CheckedResource | undefined, message: string): Violation {
    return r ? { policy, urn: r.urn, name: r.name, message: `${r.name} (${r.type}): ${message}` } : { policy, message };
}

function isKnown(v: unknown): boolean {
    return v !== UNKNOWN;
}

/** True when `v` (a value or anything inside it) is not known yet. */
export function containsUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(containsUnknown);
    if (v !== null && typeof v === "object") return Object.values(v).some(containsUnknown);
    return false;
}

function str(v: unknown): string | undefined {
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    return undefined;
}

function num(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && /^\s*\d+\s*$/.test(v)) return Number(v);
    return undefined;
}

function ofType(resources: readonly CheckedResource[], type: string): CheckedResource[] {
    return resources.filter((r) => r.type === type);
}

/** Parses a config value that is a JSON list of strings (or a single string); undefined when absent or invalid. */
export function configList(config: StackConfig, key: string): string[] | undefined {
    const raw = config[key];
    if (raw === undefined) return undefined;
    try {
        const parsed: unknown = JSON.parse(raw);
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed as string[];
        if (typeof parsed === "string") return [parsed];
        return undefined;
    } catch {
        return raw.trim() ? [raw.trim()] : undefined;
    }
}

// ---------------------------------------------------------------------------------------------
// CIDRs.

interface Cidr {
    readonly version: 4 | 6;
    readonly address: bigint;
    readonly prefix: number;
}

function parseIpv4(s: string): bigint | undefined {
    const parts = s.split(".");
    if (parts.length !== 4) return undefined;
    let value = 0n;
    for (const p of parts) {
        if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
        value = (value << 8n) | BigInt(Number(p));
    }
    return value;
}

function parseIpv6(s: string): bigint | undefined {
    let text = s;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    let tail: number[] = [];
    if (v4) {
        const n = parseIpv4(v4[1]);
        if (n === undefined) return undefined;
        tail = [Number((n >> 16n) & 0xffffn), Number(n & 0xffffn)];
        text = text.slice(0, -v4[1].length) + "0:0";
    }
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const head = halves[0] ? halves[0].split(":") : [];
    const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
    const missing = 8 - head.length - rest.length;
    if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
    const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    if (tail.length) groups.splice(6, 2, tail[0].toString(16), tail[1].toString(16));
    return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR (a bare address is a /32 or /128); undefined when not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
    const [addr, prefixText, extra] = text.trim().split("/");
    if (extra !== undefined || !addr) return undefined;
    const version = addr.includes(":") ? 6 : 4;
    const bits = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= bits)) return undefined;
    const address = version === 4 ? parseIpv4(addr) : parseIpv6(addr);
    if (address === undefined) return undefined;
    const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
    return { version, address: address & mask, prefix };
}

/** True when every address of `inner` is in `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
    const a = parseCidr(inner);
    const b = parseCidr(outer);
    if (!a || !b || a.version !== b.version || a.prefix < b.prefix) return false;
    const bits = a.version === 4 ? 32 : 128;
    const shift = BigInt(bits - b.prefix);
    return a.address >> shift === b.address >> shift;
}

// ---------------------------------------------------------------------------------------------
// Security group rules.

interface RuleView {
    readonly ingress: boolean;
    /** `tcp`, `udp`, another protocol, or `any`. */
    readonly protocol: string;
    readonly from: number;
    readonly to: number;
    /** The remote prefix; undefined when the rule has none. */
    readonly prefix?: string;
    readonly hasRemoteGroup: boolean;
}

/** How a Neutron rule reads; undefined when a field that matters is not known yet. */
function ruleView(r: CheckedResource): RuleView | undefined {
    const p = r.props;
    for (const key of ["direction", "protocol", "portRangeMin", "portRangeMax", "remoteIpPrefix", "remoteGroupId"]) {
        if (!isKnown(p[key])) return undefined;
    }
    const direction = (str(p["direction"]) ?? "ingress").toLowerCase();
    const rawProtocol = (str(p["protocol"]) ?? "").toLowerCase();
    const protocol = rawProtocol === "" || rawProtocol === "any" ? "any" : rawProtocol === "6" ? "tcp" : rawProtocol === "17" ? "udp" : rawProtocol;
    const min = num(p["portRangeMin"]);
    const max = num(p["portRangeMax"]);
    // Neutron: no range (or 0) means every port.
    const from = min === undefined || min === 0 ? 1 : min;
    const to = max === undefined || max === 0 ? (min === undefined || min === 0 ? 65535 : min) : max;
    const prefix = str(p["remoteIpPrefix"])?.trim() || undefined;
    const group = str(p["remoteGroupId"])?.trim();
    return { ingress: direction === "ingress", protocol, from, to, prefix, hasRemoteGroup: Boolean(group) };
}

function portsOf(rule: RuleView): string {
    const proto = rule.protocol === "any" ? "any protocol" : rule.protocol;
    return rule.from === 1 && rule.to === 65535 ? `every ${proto} port` : `${proto} ${rule.from === rule.to ? rule.from : `${rule.from}-${rule.to}`}`;
}

function carries(rule: RuleView, protocol: "tcp" | "udp"): boolean {
    return rule.protocol === "any" || rule.protocol === protocol;
}

function overlaps(rule: RuleView, from: number, to: number): boolean {
    return rule.from <= to && from <= rule.to;
}

/** A prefix of length 0 (0.0.0.0/0, ::/0), or neither prefix nor remote group: the whole Internet. */
function isEveryone(rule: RuleView): boolean {
    if (rule.prefix === undefined) return !rule.hasRemoteGroup;
    const cidr = parseCidr(rule.prefix);
    return cidr !== undefined && cidr.prefix === 0;
}

function sourceOf(rule: RuleView): string {
    return rule.prefix ?? (rule.hasRemoteGroup ? "a remote security group" : "everyone (no remote prefix nor group)");
}

/** (a) No SSH, corosync, pcsd, Nomad or Consul port open to the whole Internet. */
export const noPublicAdminPorts: StackPolicy = (resources) => {
    const out: Violation[] = [];
    for (const r of ofType(resources, TYPES.secGroupRule)) {
        const rule = ruleView(r);
        if (!rule || !rule.ingress || !isEveryone(rule)) continue;
        const hits = ADMIN_PORTS.filter((a) => carries(rule, a.protocol) && overlaps(rule, a.from, a.to));
        if (hits.length === 0) continue;
        const services = [...new Set(hits.map((h) => `${h.service} (${h.protocol} ${h.from === h.to ? h.from : `${h.from}-${h.to}`})`))];
        out.push(
            violation(
                "no-public-admin-ports",
                r,
                `opens ${portsOf(rule)} to ${sourceOf(rule)}, which exposes ${services.join(", ")} to the whole Internet; ` +
                    "restrict it to the operators' CIDRs (bastion SSH) or to a remote security group (cluster traffic)",
            ),
        );
    }
    return out;
};

/** (b) The engine ports only from the stack's `dbaas:allowedCidrs` (or from a remote security group). */
export const enginePortOnlyFromAllowedCidrs: StackPolicy = (resources, config) => {
    const out: Violation[] = [];
    const allowed = configList(config, "dbaas:allowedCidrs");
    for (const r of ofType(resources, TYPES.secGroupRule)) {
        const rule = ruleView(r);
        if (!rule || !rule.ingress || !carries(rule, "tcp")) continue;
        const engines = ENGINE_PORTS.filter((e) => overlaps(rule, e.port, e.port));
        if (engines.length === 0) continue;
        // A rule from a security group (and no prefix) is cluster-internal traffic.
        if (rule.prefix === undefined && rule.hasRemoteGroup) continue;
        const what = engines.map((e) => `${e.engine} ${e.port}`).join(", ");
        if (rule.prefix === undefined || isEveryone(rule)) {
            out.push(violation("engine-port-only-from-allowed-cidrs", r, `opens ${what} (${portsOf(rule)}) to ${sourceOf(rule)}; the engine port must only be reachable from dbaas:allowedCidrs`));
        } else if (!allowed) {
            out.push(violation("engine-port-only-from-allowed-cidrs", r, `opens ${what} to ${rule.prefix}, but this stack has no (valid) dbaas:allowedCidrs to allow it`));
        } else if (!allowed.some((a) => cidrWithin(rule.prefix as string, a))) {
            out.push(
                violation(
                    "engine-port-only-from-allowed-cidrs",
                    r,
                    `opens ${what} to ${rule.prefix}, which is not within dbaas:allowedCidrs (${allowed.join(", ")})`,
                ),
            );
        }
    }
    return out;
};

// ---------------------------------------------------------------------------------------------
// (c) Data volumes and backup containers survive a `pulumi destroy` or a replacement.

/**
 * (c) Every data volume and every backup container is `protect`ed or `retainOnDelete`.
 * A volume is exempt when the stack says `dbaas:deleteData: true` (the documented way to let
 * `pulumi destroy` delete the data); backup containers never are.
 */
export const dataIsProtected: StackPolicy = (resources, config) => {
    const out: Violation[] = [];
    const deleteData = (config["dbaas:deleteData"] ?? "").trim().toLowerCase() === "true";
    for (const r of resources) {
        if (r.type !== TYPES.volume && r.type !== TYPES.container) continue;
        if (r.protect || r.retainOnDelete) continue;
        if (r.type === TYPES.volume && deleteData) continue;
        const what = r.type === TYPES.volume ? "data volume" : "backup container";
        out.push(
            violation(
                "data-is-protected",
                r,
                `this ${what} is neither protected nor retained on delete: a destroy or a replacement would delete the data` +
                    (r.type === TYPES.volume ? " (set dbaas:deleteData to true to allow it on purpose)" : ""),
            ),
        );
    }
    return out;
};

// ---------------------------------------------------------------------------------------------
// (d) No secret in clear in user data.

/** Values that stand for a secret rather than being one. */
function isPlaceholder(value: string): boolean {
    const v = value.trim().replace(/^["']|["']$/g, "");
    if (v.length < 8) return true; // too short to be a real credential; avoids flagging "", "true", "none", ports…
    if (/^(true|false|yes|no|on|off|null|none|nil|~|required|optional|disabled|enabled|redacted)$/i.test(v)) return true;
    if (/^\d+$/.test(v)) return true;
    if (/^\[secret\]$/i.test(v) || /^\*+$/.test(v)) return true;
    if (/^[{[|>&*!]/.test(v)) return true; // a YAML/JSON structure, block scalar, anchor or tag: not a scalar value
    if (/^(\$\{|\$\(|\$[A-Za-z_]|\{\{|<[^>]*>$|%\{|@@)/.test(v)) return true; // ${VAR}, $(cmd), $VAR, {{ tpl }}, <placeholder>
    if (/^(\/|\.\/|~\/|file:\/\/|env:|vault:|nomad\/|consul\/)/.test(v)) return true; // a path or a reference, not a value
    if (/^(https?|unix):\/\//.test(v)) return true;
    return false;
}

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
/** `password: x`, `token = "x"`, `encrypt = "x"`, `SECRET=x`, `"client_secret": "x"`… */
const SECRET_ASSIGNMENT =
    /(?:^|[\s{,;"'-])["']?([A-Za-z0-9_.-]*(?:password|passwd|passphrase|token|secret|encrypt|api[_-]?key|access[_-]?key)[A-Za-z0-9_.-]*)["']?\s*(?::|=|:=)\s*("[^"\n]*"|'[^'\n]*'|[^\s,;}#]+)/gi;
const GOSSIP_KEY = /(?<![A-Za-z0-9+/=])([A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;
/** Key names that hold a location or a flag about a secret, not the secret. */
const NOT_A_SECRET_KEY = /(_file|_path|file|path|_dir|_env|_name|name|_id|_ttl|ttl|_length|_type|type|_expire|expire|_verify.*|verify_.*|_incoming|_outgoing|_auth|pwauth|lock_passwd|_enabled|enabled|_accessor|accessor|_policy|policy|_url|url)$/i;
/** Consul's and Nomad's well-known, non-secret token IDs. */
const WELL_KNOWN_UUIDS = new Set(["00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000001"]);

/** No replacement character (invalid UTF-8) and no control character but tab, newline, CR, FF. */
function isText(s: string): boolean {
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c === 0xfffd || (c < 0x20 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 0x7f) return false;
    }
    return true;
}

function decodedBase64Runs(text: string): string[] {
    const out: string[] = [];
    for (const m of text.matchAll(/[A-Za-z0-9+/]{64,}={0,2}/g)) {
        if (m[0].length % 4 !== 0) continue;
        const decoded = Buffer.from(m[0], "base64").toString("utf8");
        // Only text: a binary blob (an image, gzip) decodes to replacement characters and controls.
        if (isText(decoded)) out.push(decoded);
    }
    return out;
}

/**
 * The reasons a text looks like it carries a secret in clear (see README.md, "Pull requests", for the
 * heuristics). Base64 runs of at least 64 characters that decode to text are scanned too (one level).
 */
export function secretFindings(text: string, depth = 0): string[] {
    const found: string[] = [];
    if (PRIVATE_KEY.test(text)) found.push("a private key block (-----BEGIN … PRIVATE KEY-----)");
    for (const m of text.matchAll(SECRET_ASSIGNMENT)) {
        const key = m[1];
        if (NOT_A_SECRET_KEY.test(key)) continue;
        if (isPlaceholder(m[2])) continue;
        found.push(`a value assigned to "${key}"`);
    }
    for (const m of text.matchAll(GOSSIP_KEY)) {
        if (Buffer.from(m[1], "base64").length === 32) found.push("a 32-byte base64 key (a Consul gossip encryption key?)");
    }
    for (const line of text.split("\n")) {
        const uuid = UUID.exec(line);
        if (uuid && /token/i.test(line) && !/accessor/i.test(line) && !WELL_KNOWN_UUIDS.has(uuid[0].toLowerCase())) {
            found.push("a UUID next to the word \"token\" (an ACL token?)");
        }
    }
    if (depth === 0) {
        for (const decoded of decodedBase64Runs(text)) {
            found.push(...secretFindings(decoded, 1).map((f) => `${f}, base64-encoded`));
        }
    }
    return [...new Set(found)];
}

/** (d) No instance's user data carries a secret in clear: secrets go through Nomad Variables. */
export const noSecretsInUserData: StackPolicy = (resources) => {
    const out: Violation[] = [];
    for (const r of ofType(resources, TYPES.instance)) {
        const userData = r.props["userData"];
        if (typeof userData !== "string") continue; // absent, or not known yet
        const findings = secretFindings(userData);
        if (findings.length) {
            out.push(
                violation(
                    "no-secrets-in-user-data",
                    r,
                    `its userData looks like it contains a secret in clear: ${findings.join("; ")}. User data is readable from the metadata service and the Nova API; hand secrets over through Nomad Variables`,
                ),
            );
        }
    }
    return out;
};

// ---------------------------------------------------------------------------------------------
// (e) Database servers spread by an anti-affinity server group.

function ancestors(r: CheckedResource, byUrn: ReadonlyMap<string, CheckedResource>): CheckedResource[] {
    const chain: CheckedResource[] = [];
    const seen = new Set<string>();
    let parent = r.parent;
    while (parent && !seen.has(parent)) {
        seen.add(parent);
        const p = byUrn.get(parent);
        if (!p) break;
        chain.push(p);
        parent = p.parent;
    }
    return chain;
}

function isAntiAffinity(group: CheckedResource): boolean {
    const policies = [group.props["policies"], group.props["policy"]].flat().filter((p): p is string => typeof p === "string");
    return policies.some((p) => p.trim().toLowerCase() === "anti-affinity");
}

/**
 * The component whose servers must be spread: the nearest `dbaas:index:Database` ancestor, else a
 * `dbaas:index:ControlPlane` ancestor unless a `dbaas:index:Bastion` comes first (the bastion is one
 * machine); undefined for any other instance.
 */
function clusterOf(r: CheckedResource, byUrn: ReadonlyMap<string, CheckedResource>): CheckedResource | undefined {
    const chain = ancestors(r, byUrn);
    const database = chain.find((a) => a.type === TYPES.database);
    if (database) return database;
    for (const a of chain) {
        if (a.type === TYPES.bastion) return undefined;
        if (a.type === TYPES.controlPlane) return a;
    }
    return undefined;
}

/**
 * (e) Every database server (an Instance whose parent chain reaches a `dbaas:index:Database`
 * component; and every Consul/Nomad server of a `dbaas:index:ControlPlane`, its bastion excepted)
 * has a `schedulerHints` `group` naming an anti-affinity ServerGroup, and all servers of one
 * cluster share that group. The group is matched by its `id` when the props carry it, else
 * through the instance's dependencies (the hint's input dependency on the group).
 */
export const databaseServersAntiAffinity: StackPolicy = (resources) => {
    const out: Violation[] = [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const groups = ofType(resources, TYPES.serverGroup);
    const groupById = new Map<string, CheckedResource>();
    for (const g of groups) {
        const id = str(g.props["id"]);
        if (id) groupById.set(id, g);
    }
    const groupsOfDatabase = new Map<string, Set<string>>();
    for (const r of ofType(resources, TYPES.instance)) {
        const database = clusterOf(r, byUrn);
        if (!database) continue;
        const hints = r.props["schedulerHints"];
        if (containsUnknown(hints)) continue;
        const hintGroups = (Array.isArray(hints) ? hints : hints && typeof hints === "object" ? [hints] : [])
            .map((h) => (h && typeof h === "object" ? (h as Record<string, unknown>)["group"] : undefined))
            .filter((g): g is string => typeof g === "string" && g.trim() !== "");
        if (hintGroups.length === 0) {
            out.push(violation("database-servers-anti-affinity", r, `this server of ${database.name} has no schedulerHints group: two nodes of the cluster may land on the same hypervisor`));
            continue;
        }
        let group = hintGroups.map((id) => groupById.get(id)).find((g) => g !== undefined);
        if (!group) {
            const dependencyGroups = (r.dependsOn ?? []).map((u) => byUrn.get(u)).filter((d): d is CheckedResource => d?.type === TYPES.serverGroup);
            if (dependencyGroups.length > 0 && dependencyGroups.every(isAntiAffinity)) group = dependencyGroups[0];
            else group = dependencyGroups.find((g) => !isAntiAffinity(g));
        }
        if (!group) {
            out.push(violation("database-servers-anti-affinity", r, `its schedulerHints group (${hintGroups.join(", ")}) is not a server group of this stack`));
            continue;
        }
        if (!isAntiAffinity(group)) {
            out.push(violation("database-servers-anti-affinity", r, `its server group ${group.name} is not an anti-affinity group (policies: ${JSON.stringify(group.props["policies"] ?? group.props["policy"] ?? null)})`));
            continue;
        }
        const set = groupsOfDatabase.get(database.urn) ?? new Set<string>();
        set.add(group.urn);
        groupsOfDatabase.set(database.urn, set);
    }
    for (const [databaseUrn, set] of groupsOfDatabase) {
        if (set.size > 1) {
            out.push(violation("database-servers-anti-affinity", byUrn.get(databaseUrn), `the servers of one cluster are in ${set.size} different server groups: anti-affinity only holds inside one group`));
        }
    }
    return out;
};

// ---------------------------------------------------------------------------------------------
// (f) Fencing enabled in the Pacemaker configuration.

/** The texts a remote command runs (create, update, stdin), with base64 runs decoded. */
function commandTexts(r: CheckedResource): string[] {
    const texts = ["create", "update", "stdin"].map((k) => r.props[k]).filter((v): v is string => typeof v === "string");
    return texts.flatMap((t) => [t, ...decodedBase64Runs(t)]);
}

/** A pcs script that configures the cluster (`pcs -f "$1" …`, `pcs cluster cib-push`, `pcs property set`). */
function isPacemakerConfiguration(text: string): boolean {
    return /\bpcs\s+(?:-f\s+\S+\s+)?(?:property|resource|stonith|constraint|cluster\s+cib-push)\b/.test(text);
}

const STONITH_FALSE = /stonith-enabled\s*=\s*["']?(?:false|no|off|n|0)\b/i;
const STONITH_TRUE = /stonith-enabled\s*=\s*["']?(?:true|yes|on|y|1)\b/i;
const STONITH_DEVICE = /\bpcs\s+(?:-f\s+\S+\s+)?stonith\s+create\s+\S+\s+fence_\w+/;

/**
 * (f) The remote command that applies the Pacemaker configuration sets `stonith-enabled=true`,
 * never `stonith-enabled=false`, and some pcs script of the stack creates a fence device. A
 * database stack (one with a `dbaas:index:Database` component) without any such command is a
 * violation too: fencing cannot be verified.
 */
export const fencingEnabled: StackPolicy = (resources) => {
    const out: Violation[] = [];
    let sawConfiguration = false;
    let sawDevice = false;
    let firstConfiguration: CheckedResource | undefined;
    for (const r of ofType(resources, TYPES.remoteCommand)) {
        if (["create", "update", "stdin"].some((k) => r.props[k] === UNKNOWN)) continue;
        const texts = commandTexts(r);
        if (!texts.some(isPacemakerConfiguration)) continue;
        const all = texts.join("\n");
        sawConfiguration = true;
        firstConfiguration ??= r;
        if (STONITH_DEVICE.test(all)) sawDevice = true;
        if (STONITH_FALSE.test(all)) {
            out.push(violation("fencing-enabled", r, "its Pacemaker configuration sets stonith-enabled=false: without fencing, a failover can mount the data volume on two nodes"));
        } else if (/stonith-enabled/.test(all) || /\bproperty\s+set\b/.test(all)) {
            if (!STONITH_TRUE.test(all)) out.push(violation("fencing-enabled", r, "its Pacemaker configuration does not set stonith-enabled=true"));
        }
    }
    const unknownCommands = ofType(resources, TYPES.remoteCommand).some((r) => ["create", "update", "stdin"].some((k) => r.props[k] === UNKNOWN));
    const isDatabaseStack = resources.some((r) => r.type === TYPES.database);
    if (sawConfiguration) {
        const setsTrue = ofType(resources, TYPES.remoteCommand).some((r) => commandTexts(r).some((t) => STONITH_TRUE.test(t)));
        if (!setsTrue && !out.length) out.push(violation("fencing-enabled", firstConfiguration, "no Pacemaker configuration of this stack sets stonith-enabled=true"));
        if (!sawDevice) out.push(violation("fencing-enabled", firstConfiguration, "no Pacemaker configuration of this stack creates a fence device (pcs stonith create … fence_openstack)"));
    } else if (isDatabaseStack && !unknownCommands) {
        out.push(violation("fencing-enabled", undefined, "this database stack has no remote command applying a Pacemaker configuration (pcs …): fencing cannot be verified"));
    }
    return out;
};

// ---------------------------------------------------------------------------------------------

/** Every policy of the pack, in the order they are reported. */
export const POLICIES: readonly PolicyDefinition[] = [
    {
        name: "no-public-admin-ports",
        description: "No security group rule opens SSH, corosync, pcsd, Nomad or Consul ports to 0.0.0.0/0 or ::/0 (or to everyone).",
        check: noPublicAdminPorts,
    },
    {
        name: "engine-port-only-from-allowed-cidrs",
        description: "The engine port (PostgreSQL 5432, MariaDB 3306) is only open to the stack's dbaas:allowedCidrs (or to a security group).",
        check: enginePortOnlyFromAllowedCidrs,
    },
    {
        name: "data-is-protected",
        description: "Data volumes and backup containers are protected or retained on delete.",
        check: dataIsProtected,
    },
    {
        name: "no-secrets-in-user-data",
        description: "No server's user data contains a private key, a password/token/secret/encryption key value, a gossip key or an ACL token.",
        check: noSecretsInUserData,
    },
    {
        name: "database-servers-anti-affinity",
        description: "Every database (and control-plane) server is scheduled in one anti-affinity server group per cluster.",
        check: databaseServersAntiAffinity,
    },
    {
        name: "fencing-enabled",
        description: "The Pacemaker configuration enables fencing (stonith-enabled=true, a fence device) and never disables it.",
        check: fencingEnabled,
    },
];

/** Runs every policy (tests, and anyone who wants all violations at once). */
export function checkAll(resources: readonly CheckedResource[], config: StackConfig): Violation[] {
    return POLICIES.flatMap((p) => p.check(resources, config));
}
