/**
 * What the program knows of one database engine. Everything engine-specific lives in this
 * folder (one file per engine, behind this interface); config, stacks, components and the
 * policy pack read it from the registry (./index.ts) and never branch on an engine's name.
 *
 * Pure: no Pulumi import (the policy pack and the generators import it too).
 */

/** The engines offered, by the name `dbaas:engine` takes. */
export type EngineName = "postgresql" | "mariadb";

/** One database engine. */
export interface Engine {
    /** The name `dbaas:engine` takes. */
    readonly name: EngineName;
    /** How people write it, e.g. "PostgreSQL". */
    readonly title: string;
    /** The versions offered: PostgreSQL major versions, MariaDB series. */
    readonly versions: readonly string[];
    /** The TCP port the engine listens on (and the only one clients reach). */
    readonly port: number;
    /** How the engine shuts down cleanly: the signal its server takes for it, and the time it may need (a checkpoint). */
    readonly cleanShutdown: { readonly signal: string; readonly seconds: number };
}
