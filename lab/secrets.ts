/**
 * The lab's own secrets, put where the offline plan writes "[secret]" (and where it writes
 * the mock runtime's placeholder certificates), so that the files a node receives over SSH are
 * the generated ones with working values. {@link substituteSecrets} is pure;
 * {@link makeLabSecrets} generates the values (openssl, node's crypto).
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";

import { DroppedFile, FileDrop } from "../render/fileDrop";
import { COROSYNC_AUTHKEY_PATH, PACEMAKER_AUTHKEY_PATH } from "../render/pacemaker/corosync";

/** One file of a file-drop payload. */
export type PayloadFile = DroppedFile;

/** The values the lab supplies. */
export interface LabSecrets {
    /** hacluster's password (pcs host auth). */
    readonly hacluster: string;
    /** The OpenStack application credential's secret (clouds.yaml). */
    readonly appCredentialSecret: string;
    /** Consul gossip key (base64 of 32 bytes). */
    readonly gossipKey: string;
    /** The cluster agents' Consul ACL token (a UUID). */
    readonly consulToken: string;
    /** The nodes' Nomad takeover token (a UUID). */
    readonly nomadTakeoverToken: string;
    /** corosync's and Pacemaker's authkeys (base64 of 256 random bytes). */
    readonly authkeys: { readonly corosync: string; readonly pacemaker: string };
    /** The platform CA certificate (PEM). */
    readonly caPem: string;
    /** Per node host name: its TLS certificate and key (PEM), signed by the CA. */
    readonly tls: Readonly<Record<string, { readonly certPem: string; readonly keyPem: string }>>;
}

const SECRET = "[secret]";
/** Marks of the mock runtime's stand-in certificates (testing/mocks.ts, stacks/contract.ts). */
const MOCK_PEM = /MOCKCERT|OFFLINE-PLACEHOLDER/;

function replaceJson(value: unknown, at: string[], s: LabSecrets): unknown {
    if (Array.isArray(value)) return value.map((v) => replaceJson(v, at, s));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceJson(v, [...at, k], s)]));
    }
    if (value !== SECRET) return value;
    const key = at[at.length - 1];
    if (key === "encrypt") return s.gossipKey;
    if (key === "token" || at.includes("tokens")) return s.consulToken;
    throw new Error(`no lab value for the secret at ${at.join(".")}`);
}

/**
 * The payload files of node `node` with every "[secret]" replaced by the lab's value, and the
 * mock certificates replaced by the lab's CA and the node's certificate:
 * - clouds.yaml: `application_credential_secret`;
 * - JSON files: `encrypt` → gossip key, `token` / any key under `tokens` → the Consul token;
 * - a file whose whole content is "[secret]" and whose path ends in `key.pem` → the node's TLS key;
 * - a file whose whole content is "[secret]" and whose path ends in `-token` → the Nomad takeover token;
 * - the corosync and Pacemaker authkeys (base64) → the lab's;
 * - a placeholder CA (`ca.pem`) or certificate → the lab's.
 * Throws if a "[secret]" or a placeholder certificate is left (a new secret needs a rule here).
 */
export function substituteSecrets(files: readonly PayloadFile[], node: string, s: LabSecrets): PayloadFile[] {
    const tls = s.tls[node];
    if (!tls) throw new Error(`no lab TLS material for node ${node}`);
    return files.map((f) => {
        let content = f.content;
        if (content === SECRET && /key\.pem$/.test(f.path)) content = tls.keyPem;
        else if (/^\[secret\]\n?$/.test(content) && /-token$/.test(f.path)) content = `${s.nomadTakeoverToken}\n`;
        else if (content === SECRET && f.path === COROSYNC_AUTHKEY_PATH) content = s.authkeys.corosync;
        else if (content === SECRET && f.path === PACEMAKER_AUTHKEY_PATH) content = s.authkeys.pacemaker;
        else if (MOCK_PEM.test(content)) content = /(^|\/)ca\.pem$/.test(f.path) ? s.caPem : tls.certPem;
        else if (f.path.endsWith(".json") && content.includes(SECRET)) content = `${JSON.stringify(replaceJson(JSON.parse(content), [], s), null, 2)}\n`;
        else if (f.path.endsWith("clouds.yaml")) {
            content = content.replace(/^(\s*application_credential_secret:\s*)"\[secret\]"$/m, (_m, lead: string) => `${lead}${JSON.stringify(s.appCredentialSecret)}`);
        }
        if (content.includes(SECRET) || MOCK_PEM.test(content)) throw new Error(`${f.path}: a secret or placeholder the lab has no rule for`);
        return { ...f, content };
    });
}

/** Generates the lab's secrets: random values, and a CA with one certificate per node (openssl, EC P-256). */
export function makeLabSecrets(nodes: readonly { hostname: string; address: string }[], region = "global"): LabSecrets {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-dbaas-lab-tls-"));
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    try {
        ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=cloud-dbaas lab CA", "-keyout", "ca.key", "-out", "ca.pem");
        const tls: Record<string, { certPem: string; keyPem: string }> = {};
        for (const n of nodes) {
            ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", `/CN=${n.hostname}`, "-keyout", `${n.hostname}.key`, "-out", `${n.hostname}.csr`);
            fs.writeFileSync(`${dir}/${n.hostname}.ext`, `subjectAltName=DNS:client.${region}.nomad,DNS:localhost,IP:${n.address},IP:127.0.0.1\n`);
            ssl("x509", "-req", "-in", `${n.hostname}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", `${n.hostname}.ext`, "-out", `${n.hostname}.pem`);
            tls[n.hostname] = { certPem: fs.readFileSync(`${dir}/${n.hostname}.pem`, "utf8"), keyPem: fs.readFileSync(`${dir}/${n.hostname}.key`, "utf8") };
        }
        return {
            hacluster: randomBytes(24).toString("base64url"),
            appCredentialSecret: randomBytes(24).toString("base64url"),
            gossipKey: randomBytes(32).toString("base64"),
            consulToken: randomUUID(),
            nomadTakeoverToken: randomUUID(),
            authkeys: { corosync: randomBytes(256).toString("base64"), pacemaker: randomBytes(256).toString("base64") },
            caPem: fs.readFileSync(`${dir}/ca.pem`, "utf8"),
            tls,
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * A node's whole file drop (the reviewer's copy, artifacts/ssh/<node>.json) with the lab's
 * secrets: its files ({@link substituteSecrets}) and its feeds (`hacluster:[secret]` →
 * hacluster's password). Throws on a secret it has no rule for.
 */
export function substituteDrop(drop: FileDrop, node: string, s: LabSecrets): FileDrop {
    const feeds = (drop.feeds ?? []).map((f) => {
        if (/^hacluster:\[secret\]\n$/.test(f.input)) return { ...f, input: `hacluster:${s.hacluster}\n` };
        if (f.input.includes(SECRET)) throw new Error(`feed of ${f.command}: a secret the lab has no rule for`);
        return f;
    });
    return { files: substituteSecrets(drop.files, node, s), feeds, absent: drop.absent ?? [] };
}
