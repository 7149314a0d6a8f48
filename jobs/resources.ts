/**
 * What each job of a database gets of its node, from the flavor: the node keeps some for
 * itself (the OS, corosync and Pacemaker, docker, the Nomad and Consul agents) and room for one
 * batch task at a time (configure, sql, backups); the engine gets the rest. Docker enforces the
 * memory as a hard limit, so the engine's settings are sized from what its task gets.
 */

/** A flavor's size. */
export interface FlavorSize {
    /** RAM, in MB. */
    readonly ramMb: number;
    /** vCPUs. */
    readonly vcpus: number;
}

/** Memory the node keeps for itself (Nomad's client `reserved` memory says the same). */
export const NODE_RESERVED_MB = 768;

/** Memory of a batch task (configure, sql, backups): one at a time besides the engine. */
export const BATCH_MEMORY_MB = 256;

/** The least memory the engine is given, on the smallest flavors. */
export const ENGINE_MIN_MEMORY_MB = 256;

/** The engine task's memory: the flavor's RAM less the node's share and one batch task's. */
export function engineMemoryMb(size: FlavorSize): number {
    return Math.max(ENGINE_MIN_MEMORY_MB, size.ramMb - NODE_RESERVED_MB - BATCH_MEMORY_MB);
}

/** CPU shares (Nomad counts MHz): the engine weighs 10 batch tasks; no hard limit, so it may use every core. */
export const ENGINE_CPU_MHZ = 1000;

/** CPU shares of a batch task. */
export const BATCH_CPU_MHZ = 100;
