/**
 * Deterministic provider mocks for the Pulumi mock runtime, shared by the tests and the
 * offline plan (`npm run render`). Every value a real provider would compute is derived from the
 * resource's name, so two renders of the same config give the same plan, and a reviewer's diff
 * shows only what a change did.
 *
 * Every secret a mock provider "generates" is distinctive (it contains `MOCKSECRET`, or is the
 * base64 of such a text) and recorded, so that tests can prove none of them appears in clear
 * in a plan, an artifact, user data or a plain output.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** The size every flavor has in the offline plan. */
export const OFFLINE_FLAVOR = { ramMb: 4096, vcpus: 2 } as const;

/** A control-plane stack's outputs, as the database stack's StackReference returns them offline. */
export type StackReferenceOutputs = Readonly<Record<string, { readonly value: unknown; readonly secret: boolean }>>;

/** Mocks for the resources and functions our stacks use, recording every secret they hand out. */
export class DbaasMocks implements pulumi.runtime.Mocks {
    /** Every secret value the mocks produced (or that stands for a secret config value). */
    public readonly secretValues = new Set<string>();
    private readonly usedAddresses = new Set<string>();

    /** @param stackReferences the outputs each StackReference name resolves to */
    constructor(private readonly stackReferences: Readonly<Record<string, StackReferenceOutputs>> = {}) {}

    /** A secret value that names where it came from, remembered for the leak checks. */
    public secret(label: string): string {
        const value = `MOCKSECRET-${label}-${digest(label).slice(0, 12)}`;
        this.secretValues.add(value);
        return value;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        const id = uuidOf(`${args.type}/${args.name}`);
        const state: Record<string, unknown> = { ...inputs, ...this.computed(args.type, args.name, inputs) };
        return { id: typeof state["__id"] === "string" ? (state["__id"] as string) : id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        switch (args.token) {
            case "openstack:networking/getNetwork:getNetwork":
                return { ...inputs, id: uuidOf(`network/${String(inputs["name"])}`), external: true };
            case "openstack:networking/getSubnet:getSubnet":
                return { ...inputs, id: String(inputs["subnetId"] ?? uuidOf("subnet")), cidr: "10.42.0.0/24" };
            case "openstack:compute/getFlavor:getFlavor":
                // Offline, every flavor is 4 GB and 2 vCPUs (the engines' settings are sized from it).
                return { ...inputs, id: uuidOf(`flavor/${String(inputs["name"])}`), ram: OFFLINE_FLAVOR.ramMb, vcpus: OFFLINE_FLAVOR.vcpus, disk: 20 };
            case "openstack:images/getImage:getImage":
                return { ...inputs, id: uuidOf(`image/${String(inputs["name"])}`) };
            case "consul:index/getAclTokenSecretId:getAclTokenSecretId":
                return { ...inputs, id: String(inputs["accessorId"]), secretId: this.secret(`consul-token-${String(inputs["accessorId"])}`) };
            case "openstack:identity/getAuthScope:getAuthScope":
                return { ...inputs, id: "mock-scope", projectId: uuidOf("project"), userId: uuidOf("user"), region: "RegionOne" };
            default:
                return { ...inputs, id: uuidOf(args.token) };
        }
    }

    private computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
        switch (type) {
            case "pulumi:pulumi:StackReference": {
                const refName = String(inputs["name"]);
                const outputs = this.stackReferences[refName];
                if (!outputs) throw new Error(`no offline outputs for StackReference ${refName}`);
                return {
                    outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value])),
                    secretOutputNames: Object.entries(outputs).filter(([, v]) => v.secret).map(([k]) => k),
                };
            }
            case "openstack:networking/port:Port": {
                const wanted = (inputs["fixedIps"] as { ipAddress?: string }[] | undefined)?.[0]?.ipAddress;
                return { allFixedIps: [wanted ?? this.address("10.42.0", name, 10, 250)], macAddress: "fa:16:3e:00:00:01" };
            }
            case "openstack:networking/floatingIp:FloatingIp":
                return { address: this.address("203.0.113", name, 10, 250) };
            case "openstack:networking/subnet:Subnet":
                return { gatewayIp: "10.42.0.1" };
            case "openstack:compute/instance:Instance":
                return { accessIpV4: "", name: inputs["name"] ?? name };
            case "openstack:compute/keypair:Keypair":
                return { fingerprint: `mock:${digest(name).slice(0, 32)}` };
            case "openstack:blockstorage/volume:Volume":
                return { attachments: [] };
            case "openstack:identity/applicationCredential:ApplicationCredential":
                return { secret: this.secret(`appcred-${name}`), projectId: uuidOf("project") };
            case "tls:index/privateKey:PrivateKey": {
                const body = this.secret(`privatekey-${name}`);
                return {
                    privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`,
                    privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`,
                    publicKeyOpenssh: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${digest(name).slice(0, 43)} mock\n`,
                    publicKeyPem: `-----BEGIN PUBLIC KEY-----\nMOCKPUBLIC${digest(name).slice(0, 40)}\n-----END PUBLIC KEY-----\n`,
                };
            }
            case "tls:index/selfSignedCert:SelfSignedCert":
            case "tls:index/locallySignedCert:LocallySignedCert":
                return { certPem: `-----BEGIN CERTIFICATE-----\nMOCKCERT${digest(name).slice(0, 40)}\n-----END CERTIFICATE-----\n` };
            case "tls:index/certRequest:CertRequest":
                return { certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\nMOCKCSR${digest(name).slice(0, 40)}\n-----END CERTIFICATE REQUEST-----\n` };
            case "random:index/randomPassword:RandomPassword":
                return { result: this.secret(`password-${name}`), bcryptHash: this.secret(`bcrypt-${name}`) };
            case "random:index/randomBytes:RandomBytes": {
                const text = this.secret(`bytes-${name}`);
                const b64 = Buffer.from(text.padEnd(32, "=").slice(0, Number(inputs["length"] ?? 32))).toString("base64");
                this.secretValues.add(b64);
                return { base64: b64, hex: Buffer.from(b64).toString("hex") };
            }
            case "random:index/randomUuid:RandomUuid": {
                const value = uuidOf(`secret-uuid/${name}`);
                this.secretValues.add(value);
                return { result: value };
            }
            case "consul:index/aclToken:AclToken":
                return { accessorId: uuidOf(`consul-accessor/${name}`) };
            case "nomad:index/aclToken:AclToken":
                return { accessorId: uuidOf(`nomad-accessor/${name}`), secretId: this.secret(`nomad-token-${name}`) };
            case "command:remote:Command":
            case "command:local:Command":
                return { stdout: "", stderr: "" };
            default:
                return {};
        }
    }

    /** A host address in `prefix.0/24` derived from the name, unique within this run. */
    private address(prefix: string, name: string, low: number, high: number): string {
        const span = high - low + 1;
        let n = parseInt(digest(`${prefix}/${name}`).slice(0, 8), 16) % span;
        for (let tries = 0; tries < span; tries++, n = (n + 1) % span) {
            const candidate = `${prefix}.${low + n}`;
            if (!this.usedAddresses.has(candidate)) {
                this.usedAddresses.add(candidate);
                return candidate;
            }
        }
        throw new Error(`mock address space ${prefix}.0/24 exhausted`);
    }
}

/** Hex SHA-256 of a text. */
export function digest(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** A deterministic UUID-shaped id derived from a text. */
export function uuidOf(text: string): string {
    const h = digest(text);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Removes the Pulumi secret wrappers that inputs reach the mocks in. */
function unwrapSecrets(value: unknown): unknown {
    const unwrapped = pulumi.runtime.unwrapRpcSecret(value);
    if (Array.isArray(unwrapped)) return unwrapped.map(unwrapSecrets);
    if (unwrapped !== null && typeof unwrapped === "object") {
        return Object.fromEntries(Object.entries(unwrapped as Record<string, unknown>).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return unwrapped;
}
