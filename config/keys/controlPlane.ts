/** The keys of the control-plane stack. */
import { choiceRule, cidrListRule, existingNetworkRule, nameRule, nameserversRule, patternRule, semverRule, subnetCidrRule } from "../rules";
import { CONTROL_PLANE, key, KeyDef } from "./key";

/** The control plane's own keys, in README order. */
export const CONTROL_PLANE_KEYS: readonly KeyDef[] = [
    key({
        name: "externalNetwork", kinds: CONTROL_PLANE, required: true, type: "string", rule: nameRule("an external Neutron network"),
        description: "External network: router gateway and floating IP pool.",
    }),
    key({
        name: "operatorCidrs", kinds: CONTROL_PLANE, required: true, type: "json-list",
        rule: cidrListRule(`["203.0.113.0/24"]`, "operator SSH and the Nomad/Consul APIs must not be open to the world"),
        description: "Networks allowed to reach the bastion's SSH and the Nomad/Consul APIs.",
    }),
    key({
        name: "servers", kinds: CONTROL_PLANE, required: false, default: 3, defaultText: "3", type: "integer", rule: choiceRule<3 | 5>([3, 5]),
        description: "Number of Consul + Nomad servers.",
    }),
    key({
        name: "subnetCidr", kinds: CONTROL_PLANE, required: false, default: "10.42.0.0/24", defaultText: `"10.42.0.0/24" (unless existingNetwork is set)`,
        type: "string", rule: subnetCidrRule, description: "CIDR of the subnet the stack creates.",
    }),
    key({
        name: "existingNetwork", kinds: CONTROL_PLANE, required: false, type: "json-object", rule: existingNetworkRule,
        description: "Use this existing network and subnet instead of creating them (excludes subnetCidr).",
    }),
    key({
        name: "dnsNameservers", kinds: CONTROL_PLANE, required: false, default: ["9.9.9.9", "149.112.112.112"], defaultText: `["9.9.9.9", "149.112.112.112"]`,
        type: "json-list", rule: nameserversRule(`["9.9.9.9", "149.112.112.112"]`), description: "DNS servers of the created subnet.",
    }),
    key({
        name: "bastionFlavor", kinds: CONTROL_PLANE, required: false, defaultText: "the value of flavor", type: "string",
        rule: nameRule("a Nova flavor"), description: "Nova flavor of the bastion.",
    }),
    key({
        name: "datacenter", kinds: CONTROL_PLANE, required: false, default: "dc1", defaultText: `"dc1"`, type: "string",
        rule: patternRule(/^[a-z][a-z0-9-]{0,30}$/, "a lowercase letter then up to 30 lowercase letters, digits or '-' (^[a-z][a-z0-9-]{0,30}$)"),
        description: "Consul and Nomad datacenter name.",
    }),
    key({
        name: "consulVersion", kinds: CONTROL_PLANE, required: false, default: "1.20.2", defaultText: `"1.20.2"`, type: "string",
        rule: semverRule("1.20.2"), description: "Consul version installed.",
    }),
    key({
        name: "nomadVersion", kinds: CONTROL_PLANE, required: false, default: "1.9.4", defaultText: `"1.9.4"`, type: "string",
        rule: semverRule("1.9.4"), description: "Nomad version installed.",
    }),
];
