/** (d) no secret in clear in user data. */
import { ofType, StackPolicy, TYPES, Violation, violation } from "../resource";

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

/** The base64 runs of 64+ characters of a text that decode to text. */
export function decodedBase64Runs(text: string): string[] {
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

/** (d) No instance's user data carries a secret in clear: secrets reach machines over SSH. */
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
                    `its userData looks like it contains a secret in clear: ${findings.join("; ")}. User data is readable from the metadata service and the Nova API; send secrets over SSH (the machine's file drop), as the program does`,
                ),
            );
        }
    }
    return out;
};
