/**
 * Turns what the policy pack and the tests see into `CheckedResource`s.
 *
 * Type-only imports: importing this file loads neither `@pulumi/policy` nor `@pulumi/pulumi`.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { RecordedResource } from "../common/recorded";
import { UNKNOWN, type CheckedResource } from "./resource";

/**
 * A deep, plain copy of a value read through `@pulumi/policy`'s unknown-checking proxy: reading
 * a value the engine does not know yet (during a preview) throws there; here it becomes `UNKNOWN`,
 * so one computed field does not stop a whole stack policy.
 */
export function plainCopy(value: unknown, depth = 0): unknown {
    if (value === null || typeof value !== "object" || depth > 32) return value;
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) out.push(read(() => (value as unknown[])[i], depth));
        return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = read(() => (value as Record<string, unknown>)[key], depth);
    return out;
}

function read(get: () => unknown, depth: number): unknown {
    try {
        return plainCopy(get(), depth + 1);
    } catch {
        return UNKNOWN;
    }
}

/**
 * From the policy pack. The analyzer protocol carries `protect` but not `retainOnDelete`: it is
 * reported as false here, so in CI the data-is-protected policy asks for `protect` (see
 * README.md, "Pull requests").
 */
export function fromPolicyResource(r: PolicyResource): CheckedResource {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: plainCopy(r.props) as Record<string, unknown>,
        protect: Boolean(r.opts?.protect),
        retainOnDelete: false,
        parent: r.parent?.urn ?? r.opts?.parent,
        dependsOn: (r.dependencies ?? []).map((d) => d.urn),
    };
}

/** What {@link fromRecorded} reads of a registration the offline plan recorded (common/recorded.ts). */
export type RecordedLike = Pick<RecordedResource, "type" | "name" | "urn" | "parent" | "protect" | "retainOnDelete" | "inputs"> &
    Partial<Pick<RecordedResource, "dependsOn" | "rawInputs">>;

/** From a mock-runtime registration: its inputs stand for the props the engine would send. */
export function fromRecorded(r: RecordedLike): CheckedResource {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.rawInputs ?? r.inputs,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        parent: r.parent,
        dependsOn: r.dependsOn ?? [],
    };
}
