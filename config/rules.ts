/**
 * Value rules: what a key accepts, written once as a sentence (the README's "accepted" column
 * and every error message use it), and the check that converts a raw string or says why not.
 *
 * Pure: no Pulumi import.
 */
import { formatAddress, parseAddress, parseCidr, Parsed, cidrWithin } from "../common/cidr";
import { DatabaseUser, ExistingNetwork, UserAccess } from "./types";

/** The outcome of a check: the converted value, or every reason it is not accepted. */
export type Check<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly messages: readonly string[] };

/** What a key accepts: the sentence, and the check. */
export interface Rule<T> {
    /** The accepted values, as a sentence fragment ("a non-empty name (a Nova flavor)"). */
    readonly accepted: string;
    /** The complete list of accepted values, for enumerations. */
    readonly values?: readonly (string | number)[];
    /** Converts a raw config string, or says why it is not accepted. */
    readonly check: (value: string) => Check<T>;
}

/** An accepted value. */
export const ok = <T>(value: T): Check<T> => ({ ok: true, value });
/** A refused value and why. */
export const bad = (...messages: string[]): Check<never> => ({ ok: false, messages });

/** Levenshtein distance, case-insensitive (a case-only difference counts 0). */
export function editDistance(a: string, b: string): number {
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

/** A non-empty name of something in the cloud (a flavor, an image, a network…). */
export function nameRule(what: string): Rule<string> {
    const accepted = `a non-empty name (${what})`;
    return {
        accepted,
        check: (v) => {
            if (v.trim() === "") return bad(`must not be empty: ${accepted}`);
            if (v.trim() !== v) return bad(`must not start or end with spaces: ${accepted}`);
            return ok(v);
        },
    };
}

/** One of a few strings. */
export function enumRule<T extends string>(values: readonly T[]): Rule<T> {
    const quoted = values.map((x) => JSON.stringify(x));
    return {
        accepted: quoted.length === 2 ? `${quoted[0]} or ${quoted[1]}` : `one of ${quoted.join(", ")}`,
        values,
        check: (v) => {
            if ((values as readonly string[]).includes(v)) return ok(v as T);
            const near = values.find((x) => editDistance(v, x) <= 2);
            return bad(`must be one of ${quoted.join(", ")}${near !== undefined ? `; did you mean "${near}"?` : ""}`);
        },
    };
}

/** A string matching a pattern. */
export function patternRule(re: RegExp, accepted: string): Rule<string> {
    return { accepted, check: (v) => (re.test(v) ? ok(v) : bad(`must be ${accepted}`)) };
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A whole number, written in plain digits, that `allowed` accepts. */
export function integerRule<T extends number>(accepted: string, allowed: (n: number) => boolean, values?: readonly T[]): Rule<T> {
    return {
        accepted,
        ...(values ? { values } : {}),
        check: (v) => {
            if (!NUMBER_TEXT.test(v)) return bad(`a number is expected: must be ${accepted}`);
            if (/[eE]/.test(v)) return bad(`must be ${accepted}, written in plain digits (no exponent)`);
            if (!/^\d+$/.test(v)) return bad(`must be ${accepted}`);
            const n = Number(v);
            return allowed(n) ? ok(n as T) : bad(`must be ${accepted}`);
        },
    };
}

/** One of a few whole numbers. */
export function choiceRule<T extends number>(values: readonly T[]): Rule<T> {
    const accepted = values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(", ")}`;
    return integerRule<T>(accepted, (n) => (values as readonly number[]).includes(n), values);
}

/** "true" or "false". */
export const booleanRule: Rule<boolean> = {
    accepted: `"true" or "false"`,
    values: ["true", "false"],
    check: (v) => (v === "true" ? ok(true) : v === "false" ? ok(false) : bad(`must be "true" or "false"`)),
};

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

/** A non-empty list of CIDRs, none a /0, no duplicate (Neutron refuses duplicate rules); normalized. */
export function cidrListRule(example: string, openToWorld: string): Rule<readonly string[]> {
    return {
        accepted: `a non-empty JSON list of IPv4/IPv6 CIDRs, never a /0, e.g. '${example}'`,
        check: (v) => {
            const list = parseJsonStringList(v, `["203.0.113.0/24", "2001:db8::/32"]`);
            if (!list.ok) return list;
            if (list.value.length === 0) return bad(`must list at least one CIDR, e.g. '["203.0.113.0/24"]'`);
            const messages: string[] = [];
            const seen = new Map<string, number>();
            const out: string[] = [];
            list.value.forEach((s, i) => {
                const c = parseCidr(s);
                if (!c.ok) messages.push(`element ${i + 1}: ${c.reason}`);
                else if (c.value.prefix === 0) messages.push(`element ${i + 1} "${s}": a /0 is rejected: ${openToWorld}`);
                else if (seen.has(c.value.text)) messages.push(`element ${i + 1} "${s}" repeats element ${seen.get(c.value.text)! + 1} (Neutron rejects duplicate security group rules)`);
                else {
                    seen.set(c.value.text, i);
                    out.push(c.value.text);
                }
            });
            return messages.length > 0 ? bad(...messages) : ok(out);
        },
    };
}

const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const SUBNET_ACCEPTED = "an IPv4 private CIDR (RFC 1918: inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) with a prefix length from 16 to 28, e.g. \"10.42.0.0/24\"";

/** A private IPv4 subnet of a sensible size. */
export const subnetCidrRule: Rule<string> = {
    accepted: SUBNET_ACCEPTED,
    check: (v) => {
        const c: Parsed<{ family: 4 | 6; prefix: number; text: string }> = parseCidr(v);
        if (!c.ok) return bad(`${c.reason}: must be ${SUBNET_ACCEPTED}`);
        if (c.value.family !== 4) return bad(`not IPv4: must be ${SUBNET_ACCEPTED}`);
        if (c.value.prefix < 16 || c.value.prefix > 28) return bad(`prefix length /${c.value.prefix} is out of range: must be ${SUBNET_ACCEPTED}`);
        if (!RFC1918.some((r) => cidrWithin(c.value.text, r))) return bad(`not a private range: must be ${SUBNET_ACCEPTED}`);
        return ok(c.value.text);
    },
};

/** 1 to 5 IPv4 addresses (Neutron's default limit), no repeat. */
export function nameserversRule(example: string): Rule<readonly string[]> {
    return {
        accepted: `a JSON list of 1 to 5 IPv4 addresses, e.g. '${example}'`,
        check: (v) => {
            const list = parseJsonStringList(v, example);
            if (!list.ok) return list;
            if (list.value.length < 1 || list.value.length > 5) return bad(`must list from 1 to 5 IPv4 addresses (Neutron's default limit is 5)`);
            const messages: string[] = [];
            const out: string[] = [];
            list.value.forEach((s, i) => {
                const a = s.includes(":") ? ({ ok: false, reason: `"${s}" is not an IPv4 address` } as const) : parseAddress(s);
                if (!a.ok) messages.push(`element ${i + 1}: ${a.reason}`);
                else if (out.includes(formatAddress(a.value))) messages.push(`element ${i + 1} "${s}" is listed twice`);
                else out.push(formatAddress(a.value));
            });
            return messages.length > 0 ? bad(...messages) : ok(out);
        },
    };
}

/** Parses a JSON object; the messages say what is accepted. */
export function parseJsonObject(v: string, accepted: string): Check<Record<string, unknown>> {
    let parsed: unknown;
    try {
        parsed = JSON.parse(v);
    } catch {
        return bad(`not valid JSON: must be ${accepted}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return bad(`not a JSON object: must be ${accepted}`);
    return ok(parsed as Record<string, unknown>);
}

/**
 * A rule for a JSON object with known fields: `build` reads the object, pushing what is wrong
 * onto `messages` (which already names the unknown fields), and returns the value.
 */
export function objectRule<T>(accepted: string, known: readonly string[], build: (o: Record<string, unknown>, messages: string[]) => T): Rule<T> {
    return {
        accepted,
        check: (v) => {
            const parsed = parseJsonObject(v, accepted);
            if (!parsed.ok) return parsed;
            const messages = unknownFields(parsed.value, known).map((m) => `${m} (known: ${known.join(", ")})`);
            const value = build(parsed.value, messages);
            return messages.length > 0 ? bad(...messages) : ok(value);
        },
    };
}

/** The fields of an object that are not among `known` (`where` prefixes their names). */
export function unknownFields(obj: Record<string, unknown>, known: readonly string[], where = ""): string[] {
    return Object.keys(obj).filter((k) => !known.includes(k)).map((k) => `unknown field "${where}${k}"`);
}

const EXISTING_NETWORK_ACCEPTED = `a JSON object with two non-empty strings, e.g. '{"networkId": "<network UUID>", "subnetId": "<subnet UUID>"}'`;

/** An existing network and subnet, by id. */
export const existingNetworkRule: Rule<ExistingNetwork> = objectRule(EXISTING_NETWORK_ACCEPTED, ["networkId", "subnetId"], (obj, messages) => {
    for (const k of ["networkId", "subnetId"] as const) {
        const f = obj[k];
        if (typeof f !== "string" || f.trim() === "") messages.push(`field "${k}" must be a non-empty string: must be ${EXISTING_NETWORK_ACCEPTED}`);
    }
    return Object.freeze({ networkId: obj["networkId"] as string, subnetId: obj["subnetId"] as string });
});

const DB_NAME_ACCEPTED =
    "a DNS label that is also a safe engine identifier: lowercase letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters, e.g. \"my-first-db\"";

/** A database name: a DNS label that every engine takes as an identifier. */
export const databaseNameRule: Rule<string> = {
    accepted: DB_NAME_ACCEPTED,
    check: (v) => {
        const reasons: string[] = [];
        if (v.length === 0) reasons.push("it is empty");
        if (v.length > 63) reasons.push(`it has ${v.length} characters`);
        if (/[A-Z]/.test(v)) reasons.push("it has uppercase letters");
        if (/[^A-Za-z0-9-]/.test(v)) reasons.push("it has characters other than letters, digits and '-'");
        if (v.length > 0 && !/^[a-z]/.test(v)) reasons.push("it does not start with a lowercase letter");
        if (v.length > 0 && !/[a-z0-9]$/.test(v)) reasons.push("it does not end with a letter or digit");
        return reasons.length === 0 ? ok(v) : bad(`${reasons.join(", ")}: must be ${DB_NAME_ACCEPTED}`);
    },
};

const STACK_SEGMENT = "[A-Za-z0-9_.-]+";
const STACK_REF = new RegExp(`^${STACK_SEGMENT}(/${STACK_SEGMENT}){0,2}$`);
const STACK_REF_ACCEPTED =
    `a Pulumi stack name usable by a StackReference: "stack", "project/stack" or "org/project/stack" (segments of letters, digits, '-', '_', '.'), e.g. "acme/cloud-dbaas/control-plane"`;

/** A stack name a StackReference takes. */
export const stackRefRule: Rule<string> = {
    accepted: STACK_REF_ACCEPTED,
    check: (v) => {
        if (!STACK_REF.test(v) || v.split("/").some((s) => s === "." || s === "..") || v.length > 300) return bad(`must be ${STACK_REF_ACCEPTED}`);
        return ok(v);
    },
};

/** A version x.y.z. */
export function semverRule(example: string): Rule<string> {
    return patternRule(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, `a version x.y.z, e.g. "${example}"`);
}

/** Schemas: a JSON list of names, no repeat (the engine checks each name: config/parse.ts). */
export const schemasRule: Rule<readonly string[]> = {
    accepted: `a JSON list of schema names (lowercase letters, digits and '_', starting with a letter, at most 48 characters; not an engine's reserved name), e.g. '["app", "reporting"]'`,
    check: (v) => {
        const list = parseJsonStringList(v, `["app", "reporting"]`);
        if (!list.ok) return list;
        const messages: string[] = [];
        list.value.forEach((name, i) => {
            if (list.value.indexOf(name) !== i) messages.push(`element ${i + 1}: schema "${name}" is listed twice`);
        });
        return messages.length > 0 ? bad(...messages) : ok(list.value);
    },
};

const ACCESS: readonly UserAccess[] = ["read", "write"];

/** Extra users: a JSON list of {name, access}, no repeat (the engine checks each name: config/parse.ts). */
export const usersRule: Rule<readonly DatabaseUser[]> = {
    accepted: `a JSON list of users, each {"name": lowercase letters, digits and '_', starting with a letter, at most 32 characters, not an engine's reserved name nor the database's, "access": "read" or "write"}, e.g. '[{"name": "reporting", "access": "read"}]'`,
    check: (v) => {
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            return bad(`not valid JSON: a JSON list of users is expected, e.g. '[{"name": "reporting", "access": "read"}]'`);
        }
        if (!Array.isArray(parsed)) return bad(`not a list: a JSON list of users is expected, e.g. '[{"name": "reporting", "access": "read"}]'`);
        const messages: string[] = [];
        const users: DatabaseUser[] = [];
        parsed.forEach((u: unknown, i) => {
            const where = `element ${i + 1}`;
            if (typeof u !== "object" || u === null || Array.isArray(u)) return void messages.push(`${where} is not an object {"name": …, "access": …}`);
            const user = u as Record<string, unknown>;
            const unknown = Object.keys(user).filter((k) => k !== "name" && k !== "access");
            if (unknown.length > 0) messages.push(`${where}: unknown field(s) ${unknown.map((k) => `"${k}"`).join(", ")} (a user has "name" and "access")`);
            if (typeof user["name"] !== "string") messages.push(`${where}: "name" must be a string`);
            if (!ACCESS.includes(user["access"] as UserAccess)) messages.push(`${where}: access ${JSON.stringify(user["access"])} must be "read" or "write"`);
            else if (typeof user["name"] === "string") {
                if (users.some((x) => x.name === user["name"])) messages.push(`${where}: user "${user["name"]}" is listed twice`);
                users.push(Object.freeze({ name: user["name"], access: user["access"] as UserAccess }));
            }
        });
        return messages.length > 0 ? bad(...messages) : ok(Object.freeze(users));
    },
};
