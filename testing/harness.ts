/**
 * Runs one of our stacks under the Pulumi SDK's mock runtime — no cloud, no Pulumi CLI — and
 * records everything a reviewer or a test needs: every resource registration (type, name,
 * parent, dependencies, protect, retainOnDelete, ignoreChanges, inputs with secrets redacted),
 * the stack outputs (secrets redacted) and the generated artifacts.
 *
 * Used by the mocha tests and by `npm run render` (the offline plan). The mock runtime is global
 * to the process: runs must not overlap (await one before starting the next).
 */
import * as pulumi from "@pulumi/pulumi";
import { DbaasMocks } from "./mocks";
import { REDACTED } from "../render/redacted";
import { readStackFile } from "./stackFile";
import { loadConfig } from "../config/load";
import { defineStack } from "../stacks";
import { OFFLINE_CONTROL_PLANE_OUTPUTS } from "../stacks/contract";

export { REDACTED };

/** One resource registration, as the Pulumi engine would receive it. */
export interface RecordedResource {
    /** Type token, e.g. `openstack:compute/instance:Instance`. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    /** The resource's URN under the mock runtime. */
    readonly urn: string;
    /** The parent's URN (the stack's root has none). */
    readonly parent?: string;
    /** URNs of explicit and input dependencies. */
    readonly dependsOn: string[];
    /** `protect` resource option. */
    readonly protect: boolean;
    /** `retainOnDelete` resource option. */
    readonly retainOnDelete: boolean;
    /** `ignoreChanges` resource option. */
    readonly ignoreChanges: string[];
    /** Property names whose outputs the engine stores as secrets. */
    readonly additionalSecretOutputs: string[];
    /** Inputs, with every secret replaced by `[secret]`. */
    readonly inputs: Record<string, unknown>;
    /** Inputs with secrets in clear: for tests only, never written anywhere. */
    readonly rawInputs: Record<string, unknown>;
    /** Whether this is a custom (cloud) resource rather than a component. */
    readonly custom: boolean;
}

/** The result of running a stack offline. */
export interface StackRun {
    /** Stack name (from the file name). */
    readonly stack: string;
    /** The config the program received (secret values are placeholders). */
    readonly config: Record<string, string>;
    /** Every registration, in the order the program made them. */
    readonly resources: RecordedResource[];
    /** Stack outputs, secrets replaced by `[secret]`. */
    readonly outputs: Record<string, unknown>;
    /** Names of the outputs that are secrets. */
    readonly secretOutputs: string[];
    /** Outputs with secrets in clear: for tests only. */
    readonly rawOutputs: Record<string, unknown>;
    /** Generated files, by path under `artifacts/`. */
    readonly artifacts: Record<string, string>;
    /** Every secret value the mocks produced: none may appear in clear anywhere we write. */
    readonly secretValues: string[];
}

/** Options of {@link runStack}. */
export interface RunOptions {
    /** Config values to set (a string) or remove (`undefined`) on top of the file's. */
    readonly overrides?: Readonly<Record<string, string | undefined>>;
}

/** Runs the stack of a `Pulumi.<stack>.yaml` file under the mock runtime. */
export async function runStack(configFile: string, options: RunOptions = {}): Promise<StackRun> {
    const file = readStackFile(configFile);
    const config = { ...file.config };
    for (const [key, value] of Object.entries(options.overrides ?? {})) {
        if (value === undefined) delete config[key];
        else config[key] = value;
    }
    pulumi.runtime.setAllConfig(config, file.secretKeys);

    const controlPlane = config["dbaas:controlPlane"];
    const mocks = new DbaasMocks(controlPlane ? { [controlPlane]: OFFLINE_CONTROL_PLANE_OUTPUTS } : {});
    for (const key of file.secretKeys) mocks.secretValues.add(config[key]);
    for (const output of Object.values(OFFLINE_CONTROL_PLANE_OUTPUTS)) {
        if (output.secret && typeof output.value === "string") mocks.secretValues.add(output.value);
    }
    await pulumi.runtime.setMocks(mocks, "cloud-dbaas", file.stack, false);
    const recorder = recordRegistrations();

    // The same path as the real program: config read and validated before any resource.
    const definition = defineStack(loadConfig());
    const outputs = await settleAll(definition.outputs);
    const artifacts = await settleAll(definition.artifacts);
    await recorder.settled();

    const secretOutputs = Object.keys(outputs).filter((k) => outputs[k].secret).sort();
    return {
        stack: file.stack,
        config,
        resources: recorder.resources,
        outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? REDACTED : v.value])),
        secretOutputs,
        rawOutputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value])),
        artifacts: Object.fromEntries(
            Object.entries(artifacts).map(([k, v]) => [k, v.secret ? REDACTED : String(v.value)]),
        ),
        secretValues: [...mocks.secretValues],
    };
}

/** The plan a reviewer reads: `plan.json`'s content. */
export function planOf(run: StackRun): object {
    return {
        stack: run.stack,
        // Sorted by URN: registration order varies from run to run, a reviewer's diff must not.
        resources: [...run.resources].sort((a, b) => a.urn.localeCompare(b.urn)).map((r) => ({
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            dependsOn: r.dependsOn,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            ignoreChanges: r.ignoreChanges,
            inputs: r.inputs,
        })),
        outputs: run.outputs,
    };
}

interface Settled {
    readonly value: unknown;
    readonly secret: boolean;
}

async function settleAll(values: Readonly<Record<string, pulumi.Input<unknown>>>): Promise<Record<string, Settled>> {
    const entries = await Promise.all(
        Object.entries(values).map(async ([key, input]) => {
            const output = pulumi.output(input) as pulumi.Output<unknown>;
            const value = await new Promise<unknown>((resolve) => output.apply((v) => resolve(v)));
            return [key, { value, secret: await pulumi.isSecret(output) }] as const;
        }),
    );
    return Object.fromEntries(entries);
}

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
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface ReadRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/** Wraps the mock monitor's registerResource to record every request in full. */
function recordRegistrations(): { resources: RecordedResource[]; settled(): Promise<void> } {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterRequest, cb: (err: unknown, res: { getUrn(): string } | undefined) => void): void;
    };
    const resources: RecordedResource[] = [];
    let pending = 0;
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        pending++;
        const props = req.getObject()?.toJavaScript() ?? {};
        original(req, (err, res) => {
            if (!err && res) {
                resources.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: res.getUrn(),
                    parent: req.getParent() || undefined,
                    dependsOn: [...req.getDependenciesList()].sort(),
                    protect: Boolean(req.getProtect()),
                    retainOnDelete: Boolean(req.getRetainondelete()),
                    ignoreChanges: [...req.getIgnorechangesList()],
                    additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()],
                    inputs: decode(props, true) as Record<string, unknown>,
                    rawInputs: decode(props, false) as Record<string, unknown>,
                    custom: req.getCustom(),
                });
            }
            pending--;
            cb(err, res);
        });
    };
    // Reads (a StackReference is one) are recorded too, as resources with no options.
    const monitorRead = monitor as unknown as { readResource(req: ReadRequest, cb: (err: unknown, res: { getUrn(): string } | undefined) => void): void };
    const originalRead = monitorRead.readResource.bind(monitor);
    monitorRead.readResource = (req, cb) => {
        pending++;
        const props = req.getProperties()?.toJavaScript() ?? {};
        originalRead(req, (err, res) => {
            if (!err && res) {
                resources.push({
                    type: req.getType(), name: req.getName(), urn: res.getUrn(), parent: req.getParent() || undefined,
                    dependsOn: [...req.getDependenciesList()].sort(), protect: false, retainOnDelete: false, ignoreChanges: [],
                    additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()],
                    inputs: decode(props, true) as Record<string, unknown>, rawInputs: decode(props, false) as Record<string, unknown>, custom: true,
                });
            }
            pending--;
            cb(err, res);
        });
    };
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
