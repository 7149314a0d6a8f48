/** How a key is declared in the key tables: its description, and the rule its value follows. */
import { CONFIG_NAMESPACE, ConfigKeyInfo, StackKind } from "../types";
import { Rule } from "../rules";

/** One `dbaas:` key: what it is, and the rule its value follows. */
export interface KeyDef extends ConfigKeyInfo {
    /** The rule (accepted text, check). */
    readonly rule: Rule<unknown>;
}

/** What a key table entry states; the full key, the accepted text and the values come from the name and the rule. */
export type KeySpec = Omit<ConfigKeyInfo, "key" | "accepted" | "values" | "secret"> & {
    /** The rule its value follows. */
    readonly rule: Rule<unknown>;
    /** Whether the value must be set with `pulumi config set --secret` (default false). */
    readonly secret?: boolean;
};

/** Both kinds of stack. */
export const BOTH: readonly StackKind[] = ["control-plane", "database"];
/** The control-plane stack only. */
export const CONTROL_PLANE: readonly StackKind[] = ["control-plane"];
/** Database stacks only. */
export const DATABASE: readonly StackKind[] = ["database"];

/** A key table entry. */
export function key(spec: KeySpec): KeyDef {
    return {
        ...spec,
        key: `${CONFIG_NAMESPACE}:${spec.name}`,
        accepted: spec.rule.accepted,
        ...(spec.rule.values ? { values: spec.rule.values } : {}),
        secret: spec.secret ?? false,
    };
}
