/**
 * The generated user data, as the lab boots it. Pure functions of its text.
 *
 * The lab changes exactly one thing (see {@link labUserData}): HashiCorp's apt source, whose
 * host (apt.releases.hashicorp.com) and key server this machine cannot reach, becomes the
 * lab's signed local repository of consul/nomad stand-ins. The package pins stay as
 * generated: the stand-ins carry exactly the pinned versions ({@link hashicorpPins}).
 */
import { isDeepStrictEqual } from "node:util";
import { parse, parseDocument } from "yaml";

/** Where the lab's apt repository is bound (read-only) inside every machine. */
export const LAB_APT_PATH = "/srv/cloud-dbaas-lab/apt";

/** The lab's replacement of HashiCorp's apt source: same signed-by form, file: URL, inline key. */
export function labAptSource(keyArmored: string): { source: string; key: string } {
    if (!keyArmored.includes("BEGIN PGP PUBLIC KEY BLOCK")) throw new Error("labAptSource: not an armored public key");
    return { source: `deb [signed-by=$KEY_FILE] file:${LAB_APT_PATH} $RELEASE main`, key: keyArmored };
}

type CloudConfig = Record<string, unknown> & { apt?: { sources?: Record<string, Record<string, unknown>> } };

function load(userData: string): CloudConfig {
    if (!userData.startsWith("#cloud-config\n")) throw new Error("user data is not a #cloud-config document");
    const doc = parse(userData) as unknown;
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error("user data is not a YAML mapping");
    return doc as CloudConfig;
}

/**
 * The user data the lab boots: `userData` with `apt.sources.hashicorp` replaced by the lab's
 * repository ({@link labAptSource}: `keyid`, which cloud-init fetches from a key server, becomes
 * `key`, the lab repository's public key). Everything else is untouched; throws if the
 * HashiCorp source is not there in the generated form (the lab must not silently drift).
 */
export function labUserData(userData: string, keyArmored: string): string {
    const before = load(userData);
    const hc = before.apt?.sources?.["hashicorp"];
    if (!hc || typeof hc["source"] !== "string" || !hc["source"].includes("https://apt.releases.hashicorp.com") || typeof hc["keyid"] !== "string") {
        throw new Error("labUserData: no HashiCorp apt source (apt.sources.hashicorp with source and keyid) in the user data");
    }
    const doc = parseDocument(userData);
    doc.setIn(["apt", "sources", "hashicorp"], doc.createNode(labAptSource(keyArmored)));
    const text = doc.toString({ lineWidth: 0 });
    const out = text.startsWith("#cloud-config\n") ? text : `#cloud-config\n${text}`;
    // The one change, and nothing else.
    const after = load(out);
    const expected = structuredClone(before);
    expected.apt!.sources!["hashicorp"] = labAptSource(keyArmored);
    if (!isDeepStrictEqual(after, expected)) throw new Error("labUserData: the rewrite changed more than the HashiCorp source");
    return out;
}

/** The versions the user data pins for consul and nomad (`[name, version]` package entries). */
export function hashicorpPins(userData: string): { consul: string; nomad: string } {
    const pins: Record<string, string> = {};
    for (const p of (load(userData)["packages"] ?? []) as unknown[]) {
        if (Array.isArray(p) && p.length === 2 && typeof p[0] === "string" && typeof p[1] === "string") pins[p[0]] = p[1];
    }
    if (!pins["consul"] || !pins["nomad"]) throw new Error("hashicorpPins: user data pins no consul and nomad versions");
    return { consul: pins["consul"], nomad: pins["nomad"] };
}

/** The unpinned packages the user data installs (those the lab image pre-installs), sorted. */
export function userDataPackages(userData: string): string[] {
    const names = ((load(userData)["packages"] ?? []) as unknown[]).filter((p): p is string => typeof p === "string");
    return [...new Set(names)].sort();
}

/** The machine's own address, as its generated Consul agent configuration states it (`advertise_addr`). */
export function advertisedAddress(userData: string): string {
    const files = (load(userData)["write_files"] ?? []) as { path?: string; content?: string }[];
    const consul = files.find((f) => f.path === "/etc/consul.d/consul.json");
    if (!consul?.content) throw new Error("advertisedAddress: no /etc/consul.d/consul.json in the user data");
    const addr = (JSON.parse(consul.content) as { advertise_addr?: unknown }).advertise_addr;
    if (typeof addr !== "string") throw new Error("advertisedAddress: consul.json has no advertise_addr");
    return addr;
}

/** NoCloud meta-data, as Nova gives it: instance id (the server's UUID), host name, the key pair's public key. */
export function noCloudMetaData(instanceId: string, hostname: string, publicKey: string): string {
    if (!/^[A-Za-z0-9-]+$/.test(instanceId) || !/^[a-z0-9-]+$/.test(hostname)) throw new Error("noCloudMetaData: bad instance id or host name");
    if (!/^ssh-ed25519 [A-Za-z0-9+/=]+( \S+)?$/.test(publicKey.trim())) throw new Error("noCloudMetaData: not an ed25519 public key");
    return `instance-id: ${instanceId}\nlocal-hostname: ${hostname}\npublic-keys:\n  - ${publicKey.trim()}\n`;
}

/** One port of a machine: interface name, static address with prefix length. */
export interface MachinePort {
    /** Interface name inside the machine (eth0, eth1). */
    readonly ifname: string;
    /** Address/prefix, e.g. 10.42.0.148/24. */
    readonly cidr: string;
}

/** NoCloud network-config (version 1): static addresses, no default route (the lab has no way out but the mirror relay). */
export function noCloudNetworkConfig(ports: readonly MachinePort[]): string {
    const lines = ["version: 1", "config:"];
    for (const p of ports) {
        if (!/^[a-z0-9]{1,15}$/.test(p.ifname) || !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(p.cidr)) throw new Error(`noCloudNetworkConfig: bad port ${JSON.stringify(p)}`);
        lines.push("  - type: physical", `    name: ${p.ifname}`, "    subnets:", "      - type: static", `        address: ${p.cidr}`);
    }
    return lines.join("\n") + "\n";
}
