/**
 * Shared settings of our typed declarations of the pulumi-nomad provider's resources.
 *
 * `@pulumi/nomad` is not served by the package registry reachable from our build machines, so
 * this folder declares the few resources we use ourselves, written from the provider's documented
 * arguments (pulumi-nomad 2.5.x API docs). The type tokens and argument names are the provider's
 * own, so a real `pulumi up` drives the real pulumi-nomad plugin, and the surface is a subset of
 * `@pulumi/nomad`'s: switching to that package later is an import change.
 */
import * as pulumi from "@pulumi/pulumi";

/** The pulumi-nomad provider plugin version the engine downloads and runs. */
export const NOMAD_PLUGIN_VERSION = "2.5.4";

/** The resource options every Nomad resource gets: the pinned plugin version, unless the caller set one. */
export function withPluginVersion<T extends pulumi.ResourceOptions>(opts: T | undefined): T {
    return pulumi.mergeOptions({ version: NOMAD_PLUGIN_VERSION }, opts ?? {}) as T;
}
