/**
 * Reading a database cluster's state from `crm_mon -1 --output-as=xml --fence-history=3`
 * (Pacemaker 2.1): which node holds the group, each member's state, failed actions, fencing
 * history. Pure (text in, data out); used by `dbaas status` and the lab.
 */
import { GROUP_ROLES, RESOURCE_IDS } from "./settings";

/** One node of the cluster. */
export interface NodeState {
    /** Node name. */
    readonly name: string;
    /** Member of the running cluster. */
    readonly online: boolean;
    /** In standby (runs nothing). */
    readonly standby: boolean;
    /** Lost without being fenced yet. */
    readonly unclean: boolean;
}

/** One resource (a group member, the fence device, an info clone instance). */
export interface ResourceState {
    /** Resource id. */
    readonly id: string;
    /** Its agent, e.g. ocf:heartbeat:Filesystem. */
    readonly agent: string;
    /** Pacemaker's role: Started, Stopped, Starting... */
    readonly role: string;
    /** Whether it failed (a failed operation not cleaned up). */
    readonly failed: boolean;
    /** Whether Pacemaker manages it (not `pcs resource unmanage`d). */
    readonly managed: boolean;
    /** Nodes it is active on. */
    readonly nodes: readonly string[];
}

/** A failed operation, as crm_mon lists it. */
export interface FailedAction {
    /** e.g. data-fs_start_0. */
    readonly operation: string;
    /** Node it failed on. */
    readonly node: string;
    /** Pacemaker's summary ("error", "not installed"...) and the agent's reason. */
    readonly reason: string;
    /** When (as crm_mon prints it). */
    readonly when: string;
}

/** A fencing action. */
export interface FenceEvent {
    /** reboot, off, on. */
    readonly action: string;
    /** The node fenced. */
    readonly target: string;
    /** success, failed, pending. */
    readonly status: string;
    /** Who carried it out. */
    readonly delegate: string;
    /** When it completed (empty while pending). */
    readonly completed: string;
}

/** The cluster as crm_mon sees it. */
export interface ClusterStatus {
    /** The designated coordinator, if any. */
    readonly dc: string | null;
    /** Whether the partition crm_mon ran in has quorum. */
    readonly quorate: boolean;
    /** Every node. */
    readonly nodes: readonly NodeState[];
    /** Names of the online nodes. */
    readonly online: readonly string[];
    /** The group's members in start order. */
    readonly members: readonly ResourceState[];
    /** The node running every member of the group, or null (stopped, moving, split). */
    readonly groupNode: string | null;
    /** The fence device and the info clone's instances. */
    readonly others: readonly ResourceState[];
    /** Failed actions. */
    readonly failedActions: readonly FailedAction[];
    /** Fencing history, oldest first. */
    readonly fencing: readonly FenceEvent[];
}

function attrs(tag: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of tag.matchAll(/([A-Za-z_:][-A-Za-z0-9_:.]*)="([^"]*)"/g)) out[m[1]] = m[2].replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    return out;
}

/** Every `<resource …>` element in a piece of crm_mon XML. */
function resources(xml: string): ResourceState[] {
    return [...xml.matchAll(/<resource\b([^>]*?)(\/>|>([\s\S]*?)<\/resource>)/g)].map((m) => {
        const a = attrs(m[1]);
        return {
            id: a["id"] ?? "",
            agent: a["resource_agent"] ?? "",
            role: a["role"] ?? "",
            failed: a["failed"] === "true",
            managed: a["managed"] !== "false",
            nodes: a["active"] === "true" ? [...(m[3] ?? "").matchAll(/<node name="([^"]+)"/g)].map((x) => x[1]) : [],
        };
    });
}

/** Parses crm_mon's XML. Throws when it is not crm_mon's XML. */
export function parseCrmMon(xml: string): ClusterStatus {
    if (!/<pacemaker-result\b|<crm_mon\b/.test(xml)) throw new Error("not crm_mon's XML output");
    const dcTag = /<current_dc\b[^>]*>/.exec(xml)?.[0];
    const dc = dcTag ? attrs(dcTag) : {};
    const nodesXml = /<nodes>([\s\S]*?)<\/nodes>/.exec(xml)?.[1] ?? "";
    const nodes = [...nodesXml.matchAll(/<node\b[^>]*>/g)].map((m) => {
        const a = attrs(m[0]);
        return { name: a["name"] ?? "", online: a["online"] === "true", standby: a["standby"] === "true", unclean: a["unclean"] === "true" };
    });
    const resourcesXml = /<resources>([\s\S]*?)<\/resources>/.exec(xml)?.[1] ?? "";
    const groupXml = new RegExp(`<group id="${RESOURCE_IDS.group}"[\\s\\S]*?</group>`).exec(resourcesXml)?.[0] ?? "";
    const inGroup = resources(groupXml);
    const order = GROUP_ROLES.map((r) => RESOURCE_IDS[r] as string);
    const members = inGroup.sort((x, y) => order.indexOf(x.id) - order.indexOf(y.id));
    const others = resources(resourcesXml.replace(groupXml, ""));
    const first = members[0]?.nodes ?? [];
    const groupNode = members.length > 0 && first.length === 1 && members.every((m) => m.role === "Started" && m.nodes.length === 1 && m.nodes[0] === first[0]) ? first[0] : null;
    const failuresXml = /<failures>([\s\S]*?)<\/failures>/.exec(xml)?.[1] ?? "";
    const failedActions = [...failuresXml.matchAll(/<failure\b[^>]*>/g)].map((m) => {
        const a = attrs(m[0]);
        return { operation: a["op_key"] ?? "", node: a["node"] ?? "", reason: [a["exitstatus"], a["exitreason"]].filter((x) => x).join(": "), when: a["last-rc-change"] ?? "" };
    });
    const fenceXml = /<fence_history\b[^>]*>([\s\S]*?)<\/fence_history>/.exec(xml)?.[1] ?? "";
    const fencing = [...fenceXml.matchAll(/<fence_event\b[^>]*>/g)].map((m) => {
        const a = attrs(m[0]);
        return { action: a["action"] ?? "", target: a["target"] ?? "", status: a["status"] ?? "", delegate: a["delegate"] ?? "", completed: a["completed"] ?? "" };
    }).sort((x, y) => x.completed.localeCompare(y.completed));
    return {
        dc: dc["present"] === "true" ? dc["name"] ?? null : null,
        quorate: dc["with_quorum"] === "true",
        nodes,
        online: nodes.filter((n) => n.online).map((n) => n.name),
        members,
        groupNode,
        others,
        failedActions,
        fencing,
    };
}
