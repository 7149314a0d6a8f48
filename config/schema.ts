/**
 * The typed, validated stack configuration of cloud-dbaas.
 *
 * Pure: no Pulumi import. The stack program hands `parseStackConfig` every config value of
 * the stack as strings (`pulumi.runtime.allConfig()`); only the `dbaas:` namespace is ours.
 * Every problem is collected and reported at once, before any resource is declared.
 */
import { ENGINE_NAMES, ENGINES, EngineName } from "../engines";

/** Every config value of the stack, all namespaces ("dbaas:name", "openstack:cloud", ...), as Pulumi hands them: strings. */
export type RawConfig = Readonly<Record<string, string>>;

/** One bad, missing, conflicting or unknown key; `message` says what is accepted. `value` is undefined when the key is missing. */
export interface ConfigProblem {
    readonly key: string;
    readonly value: string | undefined;
    readonly message: string;
}

/** The namespace of our keys. */
export const CONFIG_NAMESPACE = "dbaas";

/** The two kinds of stack this program builds. */
export type StackKind = "control-plane" | "database";


/** Formats one problem as one line, e.g. `dbaas:sizeGb = "ten": a number is expected: ...` or `dbaas:name is required: ...`. */
export function formatConfigProblem(p: ConfigProblem): string {
    if (p.value === undefined) return `${p.key} ${p.message}`;
    const shown = p.value.length > 200 ? `${p.value.slice(0, 200)}...` : p.value;
    return `${p.key} = ${JSON.stringify(shown)}: ${p.message}`;
}

/** Thrown by `parseStackConfig`: every problem found, one line per problem in `message`. */
export class ConfigError extends Error {
    /** Every problem found, in key order of the stack config then missing keys. */
    readonly problems: readonly ConfigProblem[];

    constructor(problems: readonly ConfigProblem[]) {
        super(problems.map(formatConfigProblem).join("\n"));
        this.name = "ConfigError";
        this.problems = Object.freeze([...problems]);
        Object.setPrototypeOf(this, new.target.prototype);
    }
}

/** An existing Neutron network and subnet to put the control plane on instead of creating them. */
export interface ExistingNetwork {
    readonly networkId: string;
    readonly subnetId: string;
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
    /** One of the engine's `versions`. */
    readonly version: string;
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
    /** Keystone v3 URL the nodes' agents (volume, floating IP, fencing) authenticate against. */
    readonly authUrl: string;
    /** OpenStack region of the nodes' agents. */
    readonly region: string;
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
    readonly default?: string | number | boolean | readonly string[];
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

// ---------------------------------------------------------------------------------------------
// Value checkers: each returns the converted value or a list of messages.

type Check<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly messages: readonly string[] };
const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const bad = (...messages: string[]): Check<never> => ({ ok: false, messages });

function checkName(accepted: string) {
    return (v: string): Check<string> => {
        if (v.trim() === "") return bad(`must not be empty: ${accepted}`);
        if (v.trim() !== v) return bad(`must not start or end with spaces: ${accepted}`);
        return ok(v);
    };
}

function checkEnum<T extends string>(values: readonly T[]) {
    return (v: string): Check<T> => {
        if ((values as readonly string[]).includes(v)) return ok(v as T);
        const near = values.find((x) => editDistance(v, x) <= 2);
        return bad(`must be one of ${values.map((x) => JSON.stringify(x)).join(", ")}${near !== undefined ? `; did you mean "${near}"?` : ""}`);
    };
}

function checkRegex(re: RegExp, accepted: string) {
    return (v: string): Check<string> => (re.test(v) ? ok(v) : bad(`must be ${accepted}`));
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function checkInteger<T extends number>(accepted: string, allowed: (n: number) => boolean) {
    return (v: string): Check<T> => {
        if (!NUMBER_TEXT.test(v)) return bad(`a number is expected: must be ${accepted}`);
        if (/[eE]/.test(v)) return bad(`must be ${accepted}, written in plain digits (no exponent)`);
        if (!/^\d+$/.test(v)) return bad(`must be ${accepted}`);
        const n = Number(v);
        return allowed(n) ? ok(n as T) : bad(`must be ${accepted}`);
    };
}

function checkBoolean(v: string): Check<boolean> {
    if (v === "true") return ok(true);
    if (v === "false") return ok(false);
    return bad(`must be "true" or "false"`);
}

/** Parses a JSON list of strings; the messages name the expected form with an example. */
function parseJsonStringList(v: string, example: string): Check<string[]> {
    const expected = `a JSON list of strings is expected, e.g. '${example}'`;
    let parsed: unknown;
    try {
        parsed = JSON.parse(v);
    } catch {
        return bad(`not valid JSON: ${expected}`);
    }
    if (!Array.isArray(parsed)) return bad(`not a list: ${expected}`);
    const notStrings = parsed.map((x, i) => [x, i] as const).filter(([x]) => typeof x !== "string");
    if (notStrings.length > 0) {
        return bad(...notStrings.map(([x, i]) => `element ${i + 1} (${JSON.stringify(x)}) is not a string: ${expected}`));
    }
    return ok(parsed as string[]);
}

// --- IP addresses and CIDRs ------------------------------------------------------------------

interface Address {
    readonly family: 4 | 6;
    /** 4 or 16 bytes. */
    readonly bytes: readonly number[];
}

type AddressParse = { readonly ok: true; readonly addr: Address } | { readonly ok: false; readonly reason: string };

function parseIPv4(s: string): AddressParse {
    const parts = s.split(".");
    if (parts.length !== 4) return { ok: false, reason: `"${s}" is not an IPv4 address (four numbers from 0 to 255 separated by dots)` };
    const bytes: number[] = [];
    for (const p of parts) {
        if (!/^\d{1,3}$/.test(p)) return { ok: false, reason: `"${p}" in "${s}" is not a number from 0 to 255` };
        if (p.length > 1 && p.startsWith("0")) return { ok: false, reason: `"${p}" in "${s}" has a leading zero (ambiguous: octal or decimal)` };
        const n = Number(p);
        if (n > 255) return { ok: false, reason: `octet ${p} in "${s}" is above 255` };
        bytes.push(n);
    }
    return { ok: true, addr: { family: 4, bytes } };
}

function parseIPv6(s: string): AddressParse {
    const notV6 = { ok: false as const, reason: `"${s}" is not an IPv6 address` };
    if (!/^[0-9A-Fa-f:.]+$/.test(s)) return notV6;
    const halves = s.split("::");
    if (halves.length > 2) return { ok: false, reason: `"${s}" has "::" more than once` };
    const groupsOf = (h: string): number[] | undefined => {
        if (h === "") return [];
        const out: number[] = [];
        const parts = h.split(":");
        for (let i = 0; i < parts.length; i++) {
            const p = parts[i]!;
            if (i === parts.length - 1 && p.includes(".")) {
                const v4 = parseIPv4(p);
                if (!v4.ok) return undefined;
                const b = v4.addr.bytes;
                out.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
            } else if (/^[0-9A-Fa-f]{1,4}$/.test(p)) {
                out.push(parseInt(p, 16));
            } else {
                return undefined;
            }
        }
        return out;
    };
    const head = groupsOf(halves[0]!);
    const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
    if (head === undefined || tail === undefined) return notV6;
    let groups: number[];
    if (halves.length === 2) {
        const fill = 8 - head.length - tail.length;
        if (fill < 1) return notV6;
        groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
    } else {
        groups = head;
    }
    if (groups.length !== 8) return { ok: false, reason: `"${s}" does not have 8 groups of hexadecimal digits` };
    return { ok: true, addr: { family: 6, bytes: groups.flatMap((g) => [g >> 8, g & 0xff]) } };
}

function parseIP(s: string): AddressParse {
    return s.includes(":") ? parseIPv6(s) : parseIPv4(s);
}

/** Canonical text of an address (RFC 5952 for IPv6: lowercase, longest zero run compressed). */
function formatIP(a: Address): string {
    if (a.family === 4) return a.bytes.join(".");
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((a.bytes[i]! << 8) | a.bytes[i + 1]!);
    let bestStart = -1;
    let bestLen = 0;
    for (let i = 0; i < 8; ) {
        if (groups[i] !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && groups[j] === 0) j++;
        if (j - i > bestLen && j - i >= 2) {
            bestStart = i;
            bestLen = j - i;
        }
        i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (bestStart < 0) return hex.join(":");
    return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

interface Cidr {
    readonly addr: Address;
    readonly prefix: number;
    /** Normalized text. */
    readonly text: string;
}

/** Parses and checks one CIDR: well-formed address, prefix in range, host bits zero. */
function parseCidr(s: string): { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly reason: string } {
    const slash = s.split("/");
    if (slash.length !== 2) {
        const ip = slash.length === 1 ? parseIP(s) : undefined;
        if (ip?.ok) {
            const host = ip.addr.family === 4 ? 32 : 128;
            return { ok: false, reason: `"${s}" has no prefix length; for this single address write "${formatIP(ip.addr)}/${host}"` };
        }
        return { ok: false, reason: `"${s}" is not a CIDR (address/prefix length, e.g. "10.0.0.0/8" or "2001:db8::/32")` };
    }
    const [addrText, prefixText] = slash as [string, string];
    const ip = parseIP(addrText);
    if (!ip.ok) return { ok: false, reason: ip.reason };
    const max = ip.addr.family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
        return { ok: false, reason: `prefix length "${prefixText}" in "${s}" must be a whole number from 0 to ${max} for an IPv${ip.addr.family} address` };
    }
    const prefix = Number(prefixText);
    const network = ip.addr.bytes.map((b, i) => {
        const bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
        const mask = bitsHere === 0 ? 0 : (0xff << (8 - bitsHere)) & 0xff;
        return b & mask;
    });
    const netAddr: Address = { family: ip.addr.family, bytes: network };
    const text = `${formatIP(netAddr)}/${prefix}`;
    if (network.some((b, i) => b !== ip.addr.bytes[i])) {
        return { ok: false, reason: `"${s}" has host bits set after the /${prefix} prefix; did you mean "${text}"?` };
    }
    return { ok: true, cidr: { addr: netAddr, prefix, text } };
}

function checkCidrList(openToWorld: string) {
    return (v: string): Check<readonly string[]> => {
        const list = parseJsonStringList(v, `["203.0.113.0/24", "2001:db8::/32"]`);
        if (!list.ok) return list;
        if (list.value.length === 0) return bad(`must list at least one CIDR, e.g. '["203.0.113.0/24"]'`);
        const messages: string[] = [];
        const seen = new Map<string, number>();
        const out: string[] = [];
        list.value.forEach((s, i) => {
            const c = parseCidr(s);
            if (!c.ok) {
                messages.push(`element ${i + 1}: ${c.reason}`);
            } else if (c.cidr.prefix === 0) {
                messages.push(`element ${i + 1} "${s}": a /0 is rejected: ${openToWorld}`);
            } else if (seen.has(c.cidr.text)) {
                messages.push(`element ${i + 1} "${s}" repeats element ${seen.get(c.cidr.text)! + 1} (Neutron rejects duplicate security group rules)`);
            } else {
                seen.set(c.cidr.text, i);
                out.push(c.cidr.text);
            }
        });
        return messages.length > 0 ? bad(...messages) : ok(out);
    };
}

const RFC1918: readonly Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((s) => {
    const c = parseCidr(s);
    if (!c.ok) throw new Error(c.reason);
    return c.cidr;
});

function within(inner: Cidr, outer: Cidr): boolean {
    if (inner.addr.family !== outer.addr.family || inner.prefix < outer.prefix) return false;
    for (let bit = 0; bit < outer.prefix; bit++) {
        const byte = bit >> 3;
        const m = 0x80 >> (bit & 7);
        if ((inner.addr.bytes[byte]! & m) !== (outer.addr.bytes[byte]! & m)) return false;
    }
    return true;
}

const SUBNET_ACCEPTED = "an IPv4 private CIDR (RFC 1918: inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) with a prefix length from 16 to 28, e.g. \"10.42.0.0/24\"";

function checkSubnetCidr(v: string): Check<string> {
    const c = parseCidr(v);
    if (!c.ok) return bad(`${c.reason}: must be ${SUBNET_ACCEPTED}`);
    if (c.cidr.addr.family !== 4) return bad(`not IPv4: must be ${SUBNET_ACCEPTED}`);
    if (c.cidr.prefix < 16 || c.cidr.prefix > 28) return bad(`prefix length /${c.cidr.prefix} is out of range: must be ${SUBNET_ACCEPTED}`);
    if (!RFC1918.some((r) => within(c.cidr, r))) return bad(`not a private range: must be ${SUBNET_ACCEPTED}`);
    return ok(c.cidr.text);
}

function checkNameservers(v: string): Check<readonly string[]> {
    const list = parseJsonStringList(v, `["9.9.9.9", "149.112.112.112"]`);
    if (!list.ok) return list;
    if (list.value.length < 1 || list.value.length > 5) return bad(`must list from 1 to 5 IPv4 addresses (Neutron's default limit is 5)`);
    const messages: string[] = [];
    const out: string[] = [];
    list.value.forEach((s, i) => {
        const a = parseIPv4(s);
        if (!a.ok) messages.push(`element ${i + 1}: ${a.reason}`);
        else if (out.includes(formatIP(a.addr))) messages.push(`element ${i + 1} "${s}" is listed twice`);
        else out.push(formatIP(a.addr));
    });
    return messages.length > 0 ? bad(...messages) : ok(out);
}

const EXISTING_NETWORK_ACCEPTED = `a JSON object with two non-empty strings, e.g. '{"networkId": "<network UUID>", "subnetId": "<subnet UUID>"}'`;

function checkExistingNetwork(v: string): Check<ExistingNetwork> {
    let parsed: unknown;
    try {
        parsed = JSON.parse(v);
    } catch {
        return bad(`not valid JSON: must be ${EXISTING_NETWORK_ACCEPTED}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return bad(`not a JSON object: must be ${EXISTING_NETWORK_ACCEPTED}`);
    const obj = parsed as Record<string, unknown>;
    const messages: string[] = [];
    for (const k of Object.keys(obj)) {
        if (k !== "networkId" && k !== "subnetId") messages.push(`unknown field "${k}": must be ${EXISTING_NETWORK_ACCEPTED}`);
    }
    for (const k of ["networkId", "subnetId"] as const) {
        const f = obj[k];
        if (typeof f !== "string" || f.trim() === "") messages.push(`field "${k}" must be a non-empty string: must be ${EXISTING_NETWORK_ACCEPTED}`);
    }
    if (messages.length > 0) return bad(...messages);
    return ok(Object.freeze({ networkId: obj["networkId"] as string, subnetId: obj["subnetId"] as string }));
}

const DB_NAME_ACCEPTED =
    "a DNS label that is also a safe engine identifier: lowercase letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters, e.g. \"my-first-db\"";

function checkDatabaseName(v: string): Check<string> {
    const reasons: string[] = [];
    if (v.length === 0) reasons.push("it is empty");
    if (v.length > 63) reasons.push(`it has ${v.length} characters`);
    if (/[A-Z]/.test(v)) reasons.push("it has uppercase letters");
    if (/[^A-Za-z0-9-]/.test(v)) reasons.push("it has characters other than letters, digits and '-'");
    if (v.length > 0 && !/^[a-z]/.test(v)) reasons.push("it does not start with a lowercase letter");
    if (v.length > 0 && !/[a-z0-9]$/.test(v)) reasons.push("it does not end with a letter or digit");
    return reasons.length === 0 ? ok(v) : bad(`${reasons.join(", ")}: must be ${DB_NAME_ACCEPTED}`);
}

const STACK_SEGMENT = "[A-Za-z0-9_.-]+";
const STACK_REF = new RegExp(`^${STACK_SEGMENT}(/${STACK_SEGMENT}){0,2}$`);
const STACK_REF_ACCEPTED =
    `a Pulumi stack name usable by a StackReference: "stack", "project/stack" or "org/project/stack" (segments of letters, digits, '-', '_', '.'), e.g. "acme/cloud-dbaas/control-plane"`;

function checkStackRef(v: string): Check<string> {
    if (!STACK_REF.test(v) || v.split("/").some((s) => s === "." || s === "..") || v.length > 300) return bad(`must be ${STACK_REF_ACCEPTED}`);
    return ok(v);
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

// ---------------------------------------------------------------------------------------------
// The keys.

interface KeyDef extends ConfigKeyInfo {
    readonly check: (value: string) => Check<unknown>;
}

const BOTH: readonly StackKind[] = ["control-plane", "database"];
const CP: readonly StackKind[] = ["control-plane"];
const DB: readonly StackKind[] = ["database"];

function def(d: Omit<KeyDef, "key" | "secret"> & { secret?: boolean }): KeyDef {
    return { ...d, key: `${CONFIG_NAMESPACE}:${d.name}`, secret: d.secret ?? false };
}

const NAME_ACCEPTED = "a non-empty name";
const LINUX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const ALL_VERSIONS_TEXT = ENGINE_NAMES.map((e) => `${e}: ${ENGINES[e].versions.join(", ")}`).join("; ");

const KEY_DEFS: readonly KeyDef[] = [
    def({
        name: "kind", kinds: BOTH, required: true, type: "string", values: ["control-plane", "database"],
        accepted: `"control-plane" or "database"`, check: checkEnum<StackKind>(["control-plane", "database"]),
        description: "Which stack this is: the shared control plane, or one database.",
    }),
    def({
        name: "flavor", kinds: BOTH, required: true, type: "string", accepted: `${NAME_ACCEPTED} (a Nova flavor)`,
        check: checkName("a Nova flavor name"), description: "Nova flavor of the servers.",
    }),
    def({
        name: "image", kinds: BOTH, required: true, type: "string", accepted: `${NAME_ACCEPTED} (a Glance image of Debian 12)`,
        check: checkName("a Glance image name (Debian 12)"), description: "Glance image of the servers (Debian 12).",
    }),
    def({
        name: "sshUser", kinds: BOTH, required: false, default: "debian", defaultText: `"debian"`, type: "string",
        accepted: "a Linux user name: lowercase letters, digits, '_' and '-', starting with a letter or '_', at most 32 characters",
        check: checkRegex(LINUX_USER, "a Linux user name: lowercase letters, digits, '_' and '-', starting with a letter or '_', at most 32 characters"),
        description: "User that SSH logs in as (through the bastion).",
    }),
    // --- control plane
    def({
        name: "externalNetwork", kinds: CP, required: true, type: "string", accepted: `${NAME_ACCEPTED} (an external Neutron network)`,
        check: checkName("an external network name"), description: "External network: router gateway and floating IP pool.",
    }),
    def({
        name: "operatorCidrs", kinds: CP, required: true, type: "json-list",
        accepted: `a non-empty JSON list of IPv4/IPv6 CIDRs, never a /0, e.g. '["203.0.113.0/24"]'`,
        check: checkCidrList("operator SSH and the Nomad/Consul APIs must not be open to the world"),
        description: "Networks allowed to reach the bastion's SSH and the Nomad/Consul APIs.",
    }),
    def({
        name: "servers", kinds: CP, required: false, default: 3, defaultText: "3", type: "integer", values: [3, 5], accepted: "3 or 5",
        check: checkInteger<3 | 5>("3 or 5", (n) => n === 3 || n === 5), description: "Number of Consul + Nomad servers.",
    }),
    def({
        name: "subnetCidr", kinds: CP, required: false, default: "10.42.0.0/24", defaultText: `"10.42.0.0/24" (unless existingNetwork is set)`,
        type: "string", accepted: SUBNET_ACCEPTED, check: checkSubnetCidr, description: "CIDR of the subnet the stack creates.",
    }),
    def({
        name: "existingNetwork", kinds: CP, required: false, type: "json-object", accepted: EXISTING_NETWORK_ACCEPTED,
        check: checkExistingNetwork, description: "Use this existing network and subnet instead of creating them (excludes subnetCidr).",
    }),
    def({
        name: "dnsNameservers", kinds: CP, required: false, default: ["9.9.9.9", "149.112.112.112"], defaultText: `["9.9.9.9", "149.112.112.112"]`,
        type: "json-list", accepted: `a JSON list of 1 to 5 IPv4 addresses, e.g. '["9.9.9.9", "149.112.112.112"]'`,
        check: checkNameservers, description: "DNS servers of the created subnet.",
    }),
    def({
        name: "bastionFlavor", kinds: CP, required: false, defaultText: "the value of flavor", type: "string",
        accepted: `${NAME_ACCEPTED} (a Nova flavor)`, check: checkName("a Nova flavor name"), description: "Nova flavor of the bastion.",
    }),
    def({
        name: "datacenter", kinds: CP, required: false, default: "dc1", defaultText: `"dc1"`, type: "string",
        accepted: "a lowercase letter then up to 30 lowercase letters, digits or '-' (^[a-z][a-z0-9-]{0,30}$)",
        check: checkRegex(/^[a-z][a-z0-9-]{0,30}$/, "a lowercase letter then up to 30 lowercase letters, digits or '-' (^[a-z][a-z0-9-]{0,30}$)"),
        description: "Consul and Nomad datacenter name.",
    }),
    def({
        name: "consulVersion", kinds: CP, required: false, default: "1.20.2", defaultText: `"1.20.2"`, type: "string",
        accepted: `a version x.y.z, e.g. "1.20.2"`, check: checkRegex(SEMVER, `a version x.y.z, e.g. "1.20.2"`), description: "Consul version installed.",
    }),
    def({
        name: "nomadVersion", kinds: CP, required: false, default: "1.9.4", defaultText: `"1.9.4"`, type: "string",
        accepted: `a version x.y.z, e.g. "1.9.4"`, check: checkRegex(SEMVER, `a version x.y.z, e.g. "1.9.4"`), description: "Nomad version installed.",
    }),
    // --- database
    def({
        name: "controlPlane", kinds: DB, required: true, type: "string", accepted: STACK_REF_ACCEPTED, check: checkStackRef,
        description: "The control-plane stack this database runs under (read through a StackReference).",
    }),
    def({
        name: "engine", kinds: DB, required: true, type: "string", values: ["postgresql", "mariadb"], accepted: `"postgresql" or "mariadb"`,
        check: checkEnum<EngineName>(ENGINE_NAMES), description: "Database engine.",
    }),
    def({
        name: "version", kinds: DB, required: true, type: "string", accepted: `a version the engine supports (${ALL_VERSIONS_TEXT})`,
        check: (v) => ok(v), // checked against the engine below
        description: "Engine version (PostgreSQL major version, MariaDB series).",
    }),
    def({
        name: "name", kinds: DB, required: true, type: "string", accepted: DB_NAME_ACCEPTED, check: checkDatabaseName,
        description: "Database name: names the cluster, its resources and the database created in the engine.",
    }),
    def({
        name: "sizeGb", kinds: DB, required: true, type: "integer", accepted: "a whole number of GB from 1 to 16384",
        check: checkInteger<number>("a whole number of GB from 1 to 16384", (n) => n >= 1 && n <= 16384),
        description: "Size of the data volume in GB.",
    }),
    def({
        name: "nodes", kinds: DB, required: false, default: 2, defaultText: "2", type: "integer", values: [2, 3], accepted: "2 or 3",
        check: checkInteger<2 | 3>("2 or 3", (n) => n === 2 || n === 3), description: "Number of cluster nodes.",
    }),
    def({
        name: "allowedCidrs", kinds: DB, required: true, type: "json-list",
        accepted: `a non-empty JSON list of IPv4/IPv6 CIDRs, never a /0, e.g. '["10.0.0.0/8"]'`,
        check: checkCidrList("a database must not be open to the whole Internet"),
        description: "Networks allowed to reach the engine port.",
    }),
    def({
        name: "floatingIpPool", kinds: DB, required: true, type: "string", accepted: `${NAME_ACCEPTED} (an external Neutron network)`,
        check: checkName("an external network name"), description: "External network of the database's floating IP.",
    }),
    def({
        name: "fstype", kinds: DB, required: false, default: "xfs", defaultText: `"xfs"`, type: "string", values: ["xfs", "ext4"],
        accepted: `"xfs" or "ext4"`, check: checkEnum(["xfs", "ext4"] as const), description: "File system of the data volume.",
    }),
    def({
        name: "deleteData", kinds: DB, required: false, default: false, defaultText: "false", type: "boolean", values: ["true", "false"],
        accepted: `"true" or "false"`, check: checkBoolean,
        description: "When true, `pulumi destroy` deletes the data volume; otherwise it is retained.",
    }),
    def({
        name: "volumeType", kinds: DB, required: false, defaultText: "the cloud's default volume type", type: "string",
        accepted: `${NAME_ACCEPTED} (a Cinder volume type)`, check: checkName("a Cinder volume type"), description: "Cinder volume type of the data volume.",
    }),
    def({
        name: "authUrl", kinds: DB, required: true, type: "string",
        accepted: "the https URL of the cloud's Keystone v3 endpoint (e.g. https://keystone.example.org:5000/v3)",
        check: checkRegex(/^https:\/\/[^\s/$.?#][^\s]*$/, "the https URL of the cloud's Keystone v3 endpoint (e.g. https://keystone.example.org:5000/v3)"),
        description: "Keystone URL the cluster's resource and fence agents use, with the application credential the stack creates.",
    }),
    def({
        name: "region", kinds: DB, required: false, default: "RegionOne", defaultText: `"RegionOne"`, type: "string",
        accepted: `${NAME_ACCEPTED} (an OpenStack region)`, check: checkName("an OpenStack region"),
        description: "OpenStack region of the cluster's resource and fence agents.",
    }),
];

/** Machine-readable description of every `dbaas:` key (name, kinds, required/default, accepted values, secret); docs are generated and checked against it. */
export const CONFIG_KEYS: readonly ConfigKeyInfo[] = Object.freeze(
    KEY_DEFS.map(({ check: _check, ...info }) => Object.freeze({ ...info, kinds: Object.freeze([...info.kinds]) })),
);

// ---------------------------------------------------------------------------------------------
// Parsing.

/** Levenshtein distance, case-insensitive (a case-only difference counts 0). */
function editDistance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const cur = [i];
        for (let j = 1; j <= y.length; j++) {
            cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1)));
        }
        prev = cur;
    }
    return prev[y.length]!;
}

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
    /** Keys whose values are secret: their values are never echoed in problems (e.g. from `pulumi.isConfigSecret`). */
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
        const c = byName.get("kind")!.check(kindText);
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
        const c = d.check(value);
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
        const supported: readonly string[] = ENGINES[engine].versions;
        if (supported.includes(versionText)) values.set("version", versionText);
        else {
            values.delete("version");
            report(`${prefix}version`, versionText, `${engine} version must be one of ${supported.map((v) => JSON.stringify(v)).join(", ")}`);
        }
    } else {
        values.delete("version");
    }
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
        authUrl: get("authUrl"),
        region: get("region"),
    };
    return Object.freeze(cfg);
}
