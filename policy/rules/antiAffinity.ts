/** (e) the servers of one cluster spread by one anti-affinity server group. */
import { CheckedResource, containsUnknown, ofType, StackPolicy, str, TYPES, Violation, violation } from "../resource";

// ---------------------------------------------------------------------------------------------
// (e) Database servers spread by an anti-affinity server group.

function ancestors(r: CheckedResource, byUrn: ReadonlyMap<string, CheckedResource>): CheckedResource[] {
    const chain: CheckedResource[] = [];
    const seen = new Set<string>();
    let parent = r.parent;
    while (parent && !seen.has(parent)) {
        seen.add(parent);
        const p = byUrn.get(parent);
        if (!p) break;
        chain.push(p);
        parent = p.parent;
    }
    return chain;
}

function isAntiAffinity(group: CheckedResource): boolean {
    const policies = [group.props["policies"], group.props["policy"]].flat().filter((p): p is string => typeof p === "string");
    return policies.some((p) => p.trim().toLowerCase() === "anti-affinity");
}

/**
 * The component whose servers must be spread: the nearest `dbaas:index:Database` ancestor, else a
 * `dbaas:index:ControlPlane` ancestor unless a `dbaas:index:Bastion` comes first (the bastion is one
 * machine); undefined for any other instance.
 */
function clusterOf(r: CheckedResource, byUrn: ReadonlyMap<string, CheckedResource>): CheckedResource | undefined {
    const chain = ancestors(r, byUrn);
    const database = chain.find((a) => a.type === TYPES.database);
    if (database) return database;
    for (const a of chain) {
        if (a.type === TYPES.bastion) return undefined;
        if (a.type === TYPES.controlPlane) return a;
    }
    return undefined;
}

/**
 * (e) Every database server (an Instance whose parent chain reaches a `dbaas:index:Database`
 * component; and every Consul/Nomad server of a `dbaas:index:ControlPlane`, its bastion excepted)
 * has a `schedulerHints` `group` naming an anti-affinity ServerGroup, and all servers of one
 * cluster share that group. The group is matched by its `id` when the props carry it, else
 * through the instance's dependencies (the hint's input dependency on the group).
 */
export const databaseServersAntiAffinity: StackPolicy = (resources) => {
    const out: Violation[] = [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const groups = ofType(resources, TYPES.serverGroup);
    const groupById = new Map<string, CheckedResource>();
    for (const g of groups) {
        const id = str(g.props["id"]);
        if (id) groupById.set(id, g);
    }
    const groupsOfDatabase = new Map<string, Set<string>>();
    for (const r of ofType(resources, TYPES.instance)) {
        const database = clusterOf(r, byUrn);
        if (!database) continue;
        const hints = r.props["schedulerHints"];
        if (containsUnknown(hints)) continue;
        const hintGroups = (Array.isArray(hints) ? hints : hints && typeof hints === "object" ? [hints] : [])
            .map((h) => (h && typeof h === "object" ? (h as Record<string, unknown>)["group"] : undefined))
            .filter((g): g is string => typeof g === "string" && g.trim() !== "");
        if (hintGroups.length === 0) {
            out.push(violation("database-servers-anti-affinity", r, `this server of ${database.name} has no schedulerHints group: two nodes of the cluster may land on the same hypervisor`));
            continue;
        }
        let group = hintGroups.map((id) => groupById.get(id)).find((g) => g !== undefined);
        if (!group) {
            const dependencyGroups = (r.dependsOn ?? []).map((u) => byUrn.get(u)).filter((d): d is CheckedResource => d?.type === TYPES.serverGroup);
            if (dependencyGroups.length > 0 && dependencyGroups.every(isAntiAffinity)) group = dependencyGroups[0];
            else group = dependencyGroups.find((g) => !isAntiAffinity(g));
        }
        if (!group) {
            out.push(violation("database-servers-anti-affinity", r, `its schedulerHints group (${hintGroups.join(", ")}) is not a server group of this stack`));
            continue;
        }
        if (!isAntiAffinity(group)) {
            out.push(violation("database-servers-anti-affinity", r, `its server group ${group.name} is not an anti-affinity group (policies: ${JSON.stringify(group.props["policies"] ?? group.props["policy"] ?? null)})`));
            continue;
        }
        const set = groupsOfDatabase.get(database.urn) ?? new Set<string>();
        set.add(group.urn);
        groupsOfDatabase.set(database.urn, set);
    }
    for (const [databaseUrn, set] of groupsOfDatabase) {
        if (set.size > 1) {
            out.push(violation("database-servers-anti-affinity", byUrn.get(databaseUrn), `the servers of one cluster are in ${set.size} different server groups: anti-affinity only holds inside one group`));
        }
    }
    return out;
};
