/**
 * Records every resource registration the program makes under the Pulumi SDK's mock runtime,
 * in full: the mock monitor (`pulumi.runtime.getMonitor()`) receives the whole
 * RegisterResourceRequest (parent, dependencies, protect, retainOnDelete, ignoreChanges…), which
 * `MockResourceArgs` does not carry; its `registerResource` and `readResource` are wrapped.
 */
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource } from "../common/recorded";
import { REDACTED } from "../render/redacted";

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** Replaces Pulumi's serialized secrets by `[secret]` (redacted) or by their value (raw). */
function decode(value: unknown, redact: boolean): unknown {
    if (Array.isArray(value)) return value.map((v) => decode(v, redact));
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) return redact ? REDACTED : decode(obj["value"], redact);
        if (obj[SIG_KEY] === RESOURCE_SIG) return obj["urn"];
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decode(v, redact)]));
    }
    return value;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getDependenciesList(): string[];
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getAliasesList(): AliasMessage[];
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface AliasMessage {
    getUrn(): string;
    getSpec(): { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}

/** An alias as a reviewer reads it: the old URN, or what differed (name, type, parent). */
function aliasText(alias: AliasMessage): string {
    if (alias.getUrn()) return alias.getUrn();
    const spec = alias.getSpec();
    if (!spec) return "";
    const parts = [
        spec.getName() ? `name=${spec.getName()}` : "",
        spec.getType() ? `type=${spec.getType()}` : "",
        spec.getNoparent() ? "no parent" : spec.getParenturn() ? `parent=${spec.getParenturn()}` : "",
    ];
    return parts.filter((p) => p !== "").join(" ");
}

/** The connection settings of a remote command that say where it runs: shown; everything else (keys, passwords) `[secret]`. */
const PLAIN_CONNECTION_KEYS = new Set(["host", "port", "user", "dialErrorLimit", "perDialTimeout"]);

/**
 * A remote command's `connection` as a reviewer reads it. The SDK marks the whole object secret
 * (its private key is), which hides where the command runs; this shows host, port, user and the
 * proxy's, and `[secret]` for any other field (privateKey, password, privateKeyPassword...).
 */
export function reviewerConnection(raw: unknown): unknown {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return REDACTED;
    return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => {
        if (k === "proxy") return [k, reviewerConnection(v)];
        return [k, PLAIN_CONNECTION_KEYS.has(k) && (typeof v === "string" || typeof v === "number") ? v : REDACTED];
    }));
}

interface ReadRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
}

type Callback = (err: unknown, res: { getUrn(): string } | undefined) => void;
type Monitor = Record<"registerResource" | "readResource", (req: unknown, cb: Callback) => void>;

/** Wraps the mock monitor's registerResource and readResource to record every request in full. */
export function recordRegistrations(): { resources: RecordedResource[]; settled(): Promise<void> } {
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const resources: RecordedResource[] = [];
    let pending = 0;
    /** Records what `method` receives, once the mock answered with the resource's URN. */
    const wrap = <R>(method: keyof Monitor, record: (req: R, urn: string) => RecordedResource): void => {
        const original = monitor[method].bind(monitor);
        monitor[method] = (req, cb) => {
            pending++;
            original(req, (err, res) => {
                if (!err && res) resources.push(record(req as R, res.getUrn()));
                pending--;
                cb(err, res);
            });
        };
    };
    const common = (req: RegisterRequest | ReadRequest, urn: string, props: Record<string, unknown>) => {
        const inputs = decode(props, true) as Record<string, unknown>;
        const rawInputs = decode(props, false) as Record<string, unknown>;
        if (req.getType() === "command:remote:Command" && rawInputs["connection"] !== undefined) inputs["connection"] = reviewerConnection(rawInputs["connection"]);
        return {
            type: req.getType(),
            name: req.getName(),
            urn,
            parent: req.getParent() || undefined,
            dependsOn: [...req.getDependenciesList()].sort(),
            additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()],
            inputs,
            rawInputs,
        };
    };
    wrap<RegisterRequest>("registerResource", (req, urn) => ({
        ...common(req, urn, req.getObject()?.toJavaScript() ?? {}),
        protect: Boolean(req.getProtect()),
        retainOnDelete: Boolean(req.getRetainondelete()),
        ignoreChanges: [...req.getIgnorechangesList()],
        deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
        aliases: req.getAliasesList().map(aliasText).filter((a) => a !== ""),
        custom: req.getCustom(),
    }));
    // Reads (a StackReference is one) are recorded too, as resources with no options.
    wrap<ReadRequest>("readResource", (req, urn) => ({
        ...common(req, urn, req.getProperties()?.toJavaScript() ?? {}),
        protect: false, retainOnDelete: false, ignoreChanges: [], deleteBeforeReplace: false, aliases: [], custom: true,
    }));
    return {
        resources,
        // Registrations finish after the outputs a program awaits; wait until none is in flight
        // for a few turns of the event loop.
        async settled() {
            for (let quiet = 0, turns = 0; quiet < 5 && turns < 5000; turns++) {
                await new Promise((r) => setTimeout(r, 5));
                quiet = pending === 0 ? quiet + 1 : 0;
            }
        },
    };
}
