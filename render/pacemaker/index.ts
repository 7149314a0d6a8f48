/**
 * Pure generators of the Pacemaker side of one database cluster.
 * - spec.ts: the typed input ({@link ClusterSpec}) and the role → agent {@link Profile};
 * - settings.ts: what every profile shares (ids, group order, operations, properties, timings);
 * - openstack.ts: the production profile (the lab's is in lab/profile.ts);
 * - configure.ts: bash that edits an offline CIB (`pcs -f "$1" …`);
 * - setup.ts: `pcs cluster setup`'s argv and the first node's setup script;
 * - apply.ts: applying the configuration to a live cluster atomically.
 */
export * from "./spec";
export * from "./settings";
export { openstackProfile } from "./openstack";
export { configureScript } from "./configure";
export { clusterSetupArgs, setupScript } from "./setup";
export { applyScript, reapplyScript } from "./apply";
