/**
 * The guardrails of cloud-dbaas, as plain functions over a small resource shape (../resource.ts),
 * one file per concern. Both the policy pack (policy/index.ts) and the tests call them, so the
 * very same code decides in CI and in mocha. Importing this folder starts no server and needs
 * no engine.
 */
import { CheckedResource, PolicyDefinition, StackConfig, Violation } from "../resource";
import { enginePortOnlyFromAllowedCidrs, noPublicAdminPorts } from "./network";
import { dataIsProtected } from "./data";
import { noSecretsInUserData } from "./secrets";
import { databaseServersAntiAffinity } from "./antiAffinity";
import { fencingEnabled } from "./fencing";

export * from "../resource";
export { cidrWithin } from "../../common/cidr";
export { ADMIN_PORTS } from "../../common/ports";
export { ENGINE_PORTS, enginePortOnlyFromAllowedCidrs, noPublicAdminPorts } from "./network";
export { dataIsProtected } from "./data";
export { noSecretsInUserData, secretFindings } from "./secrets";
export { databaseServersAntiAffinity } from "./antiAffinity";
export { fencingEnabled } from "./fencing";

/** Every policy of the pack, in the order they are reported. */
export const POLICIES: readonly PolicyDefinition[] = [
    {
        name: "no-public-admin-ports",
        description: "No security group rule opens SSH, corosync, pcsd, Nomad or Consul ports to 0.0.0.0/0 or ::/0 (or to everyone).",
        check: noPublicAdminPorts,
    },
    {
        name: "engine-port-only-from-allowed-cidrs",
        description: "The engine port (PostgreSQL 5432, MariaDB 3306) is only open to the stack's dbaas:allowedCidrs (or to a security group).",
        check: enginePortOnlyFromAllowedCidrs,
    },
    {
        name: "data-is-protected",
        description: "Data volumes and backup containers are protected or retained on delete.",
        check: dataIsProtected,
    },
    {
        name: "no-secrets-in-user-data",
        description: "No server's user data contains a private key, a password/token/secret/encryption key value, a gossip key or an ACL token.",
        check: noSecretsInUserData,
    },
    {
        name: "database-servers-anti-affinity",
        description: "Every database (and control-plane) server is scheduled in one anti-affinity server group per cluster.",
        check: databaseServersAntiAffinity,
    },
    {
        name: "fencing-enabled",
        description: "The Pacemaker configuration enables fencing (stonith-enabled=true, a fence device) and never disables it.",
        check: fencingEnabled,
    },
];

/** Runs every policy (tests, and anyone who wants all violations at once). */
export function checkAll(resources: readonly CheckedResource[], config: StackConfig): Violation[] {
    return POLICIES.flatMap((p) => p.check(resources, config));
}
