/**
 * Runs one of our stacks under the Pulumi SDK's mock runtime — no cloud, no Pulumi CLI — and
 * records everything a reviewer or a test needs: every resource registration (plan/recorder.ts),
 * the stack outputs (secrets redacted) and the generated artifacts.
 *
 * The offline plan (`dbaas render`, `npm run render`) and the tests use it. The mock runtime is
 * global to the process: runs must not overlap (await one before starting the next).
 */
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource } from "../common/recorded";
import { readStackFile } from "../common/stackFile";
import { loadConfig } from "../config/load";
import { REDACTED } from "../render/redacted";
import { defineStack } from "../stacks";
import { DbaasMocks } from "./mocks";
import { OFFLINE_CONTROL_PLANE_OUTPUTS } from "./placeholders";
import { recordRegistrations } from "./recorder";

export { RecordedResource };

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
    /** The outputs that are secrets, by name; a secret inside an output object by its path ("connection.password"). */
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
    /** Secret config values to set on top of the file's (as `pulumi config set --secret`). */
    readonly secrets?: Readonly<Record<string, string>>;
}

/** Runs the stack of a `Pulumi.<stack>.yaml` file under the mock runtime. */
export async function runStack(configFile: string, options: RunOptions = {}): Promise<StackRun> {
    const file = readStackFile(configFile);
    const config: Record<string, string> = { ...file.values };
    // A secure value cannot be decrypted here: a distinctive placeholder stands for it.
    for (const key of file.secureKeys) config[key] = `MOCKSECRET-config-${key}`;
    for (const [key, value] of Object.entries(options.overrides ?? {})) {
        if (value === undefined) delete config[key];
        else config[key] = value;
    }
    const secureKeys = [...file.secureKeys, ...Object.keys(options.secrets ?? {})];
    Object.assign(config, options.secrets ?? {});
    pulumi.runtime.setAllConfig(config, secureKeys);

    const controlPlane = config["dbaas:controlPlane"];
    const mocks = new DbaasMocks(controlPlane ? { [controlPlane]: OFFLINE_CONTROL_PLANE_OUTPUTS } : {});
    for (const key of secureKeys) mocks.secretValues.add(config[key]);
    for (const output of Object.values(OFFLINE_CONTROL_PLANE_OUTPUTS)) {
        if (output.secret && typeof output.value === "string") mocks.secretValues.add(output.value);
    }
    await pulumi.runtime.setMocks(mocks, "cloud-dbaas", file.stack, false);
    const recorder = recordRegistrations();

    // The same path as the real program: config read and validated before any resource.
    const definition = defineStack(loadConfig());
    const outputs = await settle(definition.outputs, "");
    const artifacts = await settleAll(definition.artifacts);
    await recorder.settled();

    return {
        stack: file.stack,
        config,
        resources: recorder.resources,
        outputs: outputs.value as Record<string, unknown>,
        secretOutputs: [...outputs.secrets].sort(),
        rawOutputs: outputs.raw as Record<string, unknown>,
        artifacts: Object.fromEntries(
            Object.entries(artifacts).map(([k, v]) => [k, v.secret ? REDACTED : String(v.value)]),
        ),
        secretValues: [...mocks.secretValues],
    };
}

/** A stack output, settled: redacted where secret (at any depth, as the engine stores it), raw, and where its secrets are. */
interface SettledOutput {
    readonly value: unknown;
    readonly raw: unknown;
    readonly secrets: readonly string[];
}

async function settle(input: unknown, path: string): Promise<SettledOutput> {
    if (pulumi.Output.isInstance(input)) {
        const output = input as pulumi.Output<unknown>;
        const value = await new Promise<unknown>((resolve) => output.apply((v) => resolve(v)));
        return (await pulumi.isSecret(output)) ? { value: REDACTED, raw: value, secrets: [path] } : { value, raw: value, secrets: [] };
    }
    const join = (key: string) => (path === "" ? key : `${path}.${key}`);
    if (Array.isArray(input)) {
        const parts = await Promise.all(input.map((v, i) => settle(v, join(String(i)))));
        return { value: parts.map((p) => p.value), raw: parts.map((p) => p.raw), secrets: parts.flatMap((p) => p.secrets) };
    }
    if (input !== null && typeof input === "object" && !pulumi.Resource.isInstance(input)) {
        const entries = await Promise.all(Object.entries(input).map(async ([k, v]) => [k, await settle(v, join(k))] as const));
        return {
            value: Object.fromEntries(entries.map(([k, p]) => [k, p.value])),
            raw: Object.fromEntries(entries.map(([k, p]) => [k, p.raw])),
            secrets: entries.flatMap(([, p]) => p.secrets),
        };
    }
    return { value: input, raw: input, secrets: [] };
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
