/**
 * Pure generators of the Pacemaker side of one database cluster.
 * - spec.ts: the typed input ({@link ClusterSpec}) and the role → agent {@link Profile};
 * - settings.ts: what every profile shares (ids, group order, operations, properties, timings);
 * - openstack.ts: the production profile;
 * - configure.ts: bash that edits an offline CIB (`pcs -f "$1" …`);
 * - corosync.ts: corosync.conf (what every node receives) and where the authkeys go;
 * - setup.ts: `pcs cluster setup`'s argv and the first node's membership script;
 * - formatAgent.ts: ocf:dbaas:format-once, the blank volume's file system, once;
 * - packaged.ts: undoing what Debian's packages do at install (the packaged cluster, unattended upgrades);
 * - apply.ts: applying the configuration to a live cluster atomically;
 * - crmMon.ts: reading the cluster's state back (crm_mon's XML), for `dbaas status` and the lab.
 */
export * from "./spec";
export * from "./settings";
export { openstackProfile } from "./openstack";
export { configureScript } from "./configure";
export { clusterSetupArgs, setupScript } from "./setup";
export * from "./corosync";
export * from "./formatAgent";
export * from "./packaged";
export { applyScript, reapplyScript } from "./apply";
export * from "./crmMon";
