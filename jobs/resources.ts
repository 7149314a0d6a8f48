/**
 * What the jobs of a database get of their node besides the engine (whose task says its own
 * memory: engines/common.ts leaves the node a share of the flavor, room for one batch task).
 */

import { BATCH_TASK_MB } from "../engines";

/** Memory of a batch task (configure, sql, backups): one at a time besides the engine (the engines leave it room). */
export const BATCH_MEMORY_MB = BATCH_TASK_MB;

/** CPU shares (Nomad counts MHz): the engine weighs 10 batch tasks; no hard limit, so it may use every core. */
export const ENGINE_CPU_MHZ = 1000;

/** CPU shares of a batch task. */
export const BATCH_CPU_MHZ = 100;
