/**
 * Reads the stack's config once, before any resource is declared: every key of every
 * namespace, so that an unknown `dbaas:` key is an error rather than silently ignored.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./parse";
import { StackConfig } from "./types";

/** The stack's typed, validated configuration; throws a ConfigError listing every bad key. */
export function loadConfig(): StackConfig {
    const raw = pulumi.runtime.allConfig();
    // Secret values are never echoed in an error message (the SDK marks them, internally).
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
    const secretKeys = isSecret ? Object.keys(raw).filter((key) => isSecret(key)) : undefined;
    return parseStackConfig(raw, { secretKeys });
}
