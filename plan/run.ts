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
    const config: Record<string, string> = { ...file.values };
    // A secure value cannot be decrypted here: a distinctive placeholder stands for it.
    for (const key of file.secureKeys) config[key] = `MOCKSECRET-config-${key}`;
    for (const [key, value] of Object.entries(options.overrides ?? {})) {
        if (value === undefined) delete config[key];
        else config[key] = value;
    }
    pulumi.runtime.setAllConfig(config, [...file.secureKeys]);

    const controlPlane = config["dbaas:controlPlane"];
    const mocks = new DbaasMocks(controlPlane ? { [controlPlane]: OFFLINE_CONTROL_PLANE_OUTPUTS } : {});
    for (const key of file.secureKeys) mocks.secretValues.add(config[key]);
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
