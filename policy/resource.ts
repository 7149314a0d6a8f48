/**
 * What every policy sees: a small resource shape that both the policy pack (from
 * `@pulumi/policy`'s resources) and the tests (from the offline plan's registrations) produce,
 * and the helpers the policies share. Nothing here imports `@pulumi/policy` or `@pulumi/pulumi`.
 */
import { COMPONENT_TYPES, RESOURCE_TYPES } from "../common/tokens";

/** A value the engine does not know yet (a computed output during `pulumi preview`). */
export const UNKNOWN: unique symbol = Symbol("unknown");

/** One resource, as every policy sees it. */
export interface CheckedResource {
    /** Type token, e.g. `openstack:compute/instance:Instance`. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    readonly urn: string;
    /** Properties (Pulumi names, camelCase); a value the engine does not know yet is {@link UNKNOWN}. */
    readonly props: Readonly<Record<string, unknown>>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** The parent's URN. */
    readonly parent?: string;
    /** URNs this resource depends on (explicit and through its inputs), when known. */
    readonly dependsOn?: readonly string[];
}

/** Stack configuration, as the program receives it: full keys (`dbaas:allowedCidrs`), string values. */
export type StackConfig = Readonly<Record<string, string | undefined>>;

/** Why a policy objects, and to which resource. */
export interface Violation {
    readonly policy: string;
    /** The URN of the resource in violation (absent: the stack as a whole). */
    readonly urn?: string;
    /** Its logical name (absent: the stack as a whole). */
    readonly name?: string;
    readonly message: string;
}

/** A policy: every resource of the stack (and its config) in, violations out. */
export type StackPolicy = (resources: readonly CheckedResource[], config: StackConfig) => Violation[];

/** A policy with the name and description the policy pack publishes. */
export interface PolicyDefinition {
    readonly name: string;
    readonly description: string;
    readonly check: StackPolicy;
}

/** The resource types the policies read: the providers' and our components'. */
export const TYPES = {
    ...RESOURCE_TYPES,
    database: COMPONENT_TYPES.database,
    controlPlane: COMPONENT_TYPES.controlPlane,
    bastion: COMPONENT_TYPES.bastion,
} as const;

/** A violation of `policy` by `r` (or by the stack as a whole). */
export function violation(policy: string, r: CheckedResource | undefined, message: string): Violation {
    return r ? { policy, urn: r.urn, name: r.name, message: `${r.name} (${r.type}): ${message}` } : { policy, message };
}

/** False for a value the engine does not know yet. */
export function isKnown(v: unknown): boolean {
    return v !== UNKNOWN;
}

/** True when `v` (a value or anything inside it) is not known yet. */
export function containsUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(containsUnknown);
    if (v !== null && typeof v === "object") return Object.values(v).some(containsUnknown);
    return false;
}

/** A string (or a number as text); undefined otherwise. */
export function str(v: unknown): string | undefined {
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    return undefined;
}

/** A finite number (or digits); undefined otherwise. */
export function num(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && /^\s*\d+\s*$/.test(v)) return Number(v);
    return undefined;
}

/** The resources of one type. */
export function ofType(resources: readonly CheckedResource[], type: string): CheckedResource[] {
    return resources.filter((r) => r.type === type);
}

/** Parses a config value that is a JSON list of strings (or a single string); undefined when absent or invalid. */
export function configList(config: StackConfig, key: string): string[] | undefined {
    const raw = config[key];
    if (raw === undefined) return undefined;
    try {
        const parsed: unknown = JSON.parse(raw);
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed as string[];
        if (typeof parsed === "string") return [parsed];
        return undefined;
    } catch {
        return raw.trim() ? [raw.trim()] : undefined;
    }
}
