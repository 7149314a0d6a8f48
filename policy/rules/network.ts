/** (a) no administration port open to the world; (b) the engine port only from the allowed CIDRs. */
import { ENGINE_NAMES, ENGINES } from "../../engines";
import { cidrWithin, isWholeInternet } from "../../common/cidr";
import { ADMIN_PORTS } from "../../common/ports";
import { CheckedResource, isKnown, num, ofType, StackPolicy, str, TYPES, Violation, violation, configList } from "../resource";

// ---------------------------------------------------------------------------------------------
// Security group rules.

/** The engines' ports: reachable only from the stack's `dbaas:allowedCidrs`. */
export const ENGINE_PORTS: readonly { readonly engine: string; readonly port: number }[] = ENGINE_NAMES.map((e) => ({ engine: ENGINES[e].title, port: ENGINES[e].port }));

interface RuleView {
    readonly ingress: boolean;
    /** `tcp`, `udp`, another protocol, or `any`. */
    readonly protocol: string;
    readonly from: number;
    readonly to: number;
    /** The remote prefix; undefined when the rule has none. */
    readonly prefix?: string;
    readonly hasRemoteGroup: boolean;
}

/** How a Neutron rule reads; undefined when a field that matters is not known yet. */
function ruleView(r: CheckedResource): RuleView | undefined {
    const p = r.props;
    for (const key of ["direction", "protocol", "portRangeMin", "portRangeMax", "remoteIpPrefix", "remoteGroupId"]) {
        if (!isKnown(p[key])) return undefined;
    }
    const direction = (str(p["direction"]) ?? "ingress").toLowerCase();
    const rawProtocol = (str(p["protocol"]) ?? "").toLowerCase();
    const protocol = rawProtocol === "" || rawProtocol === "any" ? "any" : rawProtocol === "6" ? "tcp" : rawProtocol === "17" ? "udp" : rawProtocol;
    const min = num(p["portRangeMin"]);
    const max = num(p["portRangeMax"]);
    // Neutron: no range (or 0) means every port.
    const from = min === undefined || min === 0 ? 1 : min;
    const to = max === undefined || max === 0 ? (min === undefined || min === 0 ? 65535 : min) : max;
    const prefix = str(p["remoteIpPrefix"])?.trim() || undefined;
    const group = str(p["remoteGroupId"])?.trim();
    return { ingress: direction === "ingress", protocol, from, to, prefix, hasRemoteGroup: Boolean(group) };
}

function portsOf(rule: RuleView): string {
    const proto = rule.protocol === "any" ? "any protocol" : rule.protocol;
    return rule.from === 1 && rule.to === 65535 ? `every ${proto} port` : `${proto} ${rule.from === rule.to ? rule.from : `${rule.from}-${rule.to}`}`;
}

function carries(rule: RuleView, protocol: "tcp" | "udp"): boolean {
    return rule.protocol === "any" || rule.protocol === protocol;
}

function overlaps(rule: RuleView, from: number, to: number): boolean {
    return rule.from <= to && from <= rule.to;
}

/** A prefix of length 0 (0.0.0.0/0, ::/0), or neither prefix nor remote group: the whole Internet. */
function isEveryone(rule: RuleView): boolean {
    if (rule.prefix === undefined) return !rule.hasRemoteGroup;
    return isWholeInternet(rule.prefix);
}

function sourceOf(rule: RuleView): string {
    return rule.prefix ?? (rule.hasRemoteGroup ? "a remote security group" : "everyone (no remote prefix nor group)");
}

/** (a) No SSH, corosync, pcsd, Nomad or Consul port open to the whole Internet. */
export const noPublicAdminPorts: StackPolicy = (resources) => {
    const out: Violation[] = [];
    for (const r of ofType(resources, TYPES.secGroupRule)) {
        const rule = ruleView(r);
        if (!rule || !rule.ingress || !isEveryone(rule)) continue;
        const hits = ADMIN_PORTS.filter((a) => carries(rule, a.protocol) && overlaps(rule, a.from, a.to));
        if (hits.length === 0) continue;
        const services = [...new Set(hits.map((h) => `${h.what} (${h.protocol} ${h.from === h.to ? h.from : `${h.from}-${h.to}`})`))];
        out.push(
            violation(
                "no-public-admin-ports",
                r,
                `opens ${portsOf(rule)} to ${sourceOf(rule)}, which exposes ${services.join(", ")} to the whole Internet; ` +
                    "restrict it to the operators' CIDRs (bastion SSH) or to a remote security group (cluster traffic)",
            ),
        );
    }
    return out;
};

/** (b) The engine ports only from the stack's `dbaas:allowedCidrs` (or from a remote security group). */
export const enginePortOnlyFromAllowedCidrs: StackPolicy = (resources, config) => {
    const out: Violation[] = [];
    const allowed = configList(config, "dbaas:allowedCidrs");
    for (const r of ofType(resources, TYPES.secGroupRule)) {
        const rule = ruleView(r);
        if (!rule || !rule.ingress || !carries(rule, "tcp")) continue;
        const engines = ENGINE_PORTS.filter((e) => overlaps(rule, e.port, e.port));
        if (engines.length === 0) continue;
        // A rule from a security group (and no prefix) is cluster-internal traffic.
        if (rule.prefix === undefined && rule.hasRemoteGroup) continue;
        const what = engines.map((e) => `${e.engine} ${e.port}`).join(", ");
        if (rule.prefix === undefined || isEveryone(rule)) {
            out.push(violation("engine-port-only-from-allowed-cidrs", r, `opens ${what} (${portsOf(rule)}) to ${sourceOf(rule)}; the engine port must only be reachable from dbaas:allowedCidrs`));
        } else if (!allowed) {
            out.push(violation("engine-port-only-from-allowed-cidrs", r, `opens ${what} to ${rule.prefix}, but this stack has no (valid) dbaas:allowedCidrs to allow it`));
        } else if (!allowed.some((a) => cidrWithin(rule.prefix as string, a))) {
            out.push(
                violation(
                    "engine-port-only-from-allowed-cidrs",
                    r,
                    `opens ${what} to ${rule.prefix}, which is not within dbaas:allowedCidrs (${allowed.join(", ")})`,
                ),
            );
        }
    }
    return out;
};
