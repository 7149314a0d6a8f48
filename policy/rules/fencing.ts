/** (f) fencing enabled in the Pacemaker configuration. */
import { decodedBase64Runs } from "./secrets";
import { CheckedResource, ofType, StackPolicy, TYPES, UNKNOWN, Violation, violation } from "../resource";

// ---------------------------------------------------------------------------------------------
// (f) Fencing enabled in the Pacemaker configuration.

/** The texts a remote command runs (create, update, stdin), with base64 runs decoded. */
function commandTexts(r: CheckedResource): string[] {
    const texts = ["create", "update", "stdin"].map((k) => r.props[k]).filter((v): v is string => typeof v === "string");
    return texts.flatMap((t) => [t, ...decodedBase64Runs(t)]);
}

/** A pcs script that configures the cluster (`pcs -f "$1" …`, `pcs cluster cib-push`, `pcs property set`). */
function isPacemakerConfiguration(text: string): boolean {
    return /\bpcs\s+(?:-f\s+\S+\s+)?(?:property|resource|stonith|constraint|cluster\s+cib-push)\b/.test(text);
}

const STONITH_FALSE = /stonith-enabled\s*=\s*["']?(?:false|no|off|n|0)\b/i;
const STONITH_TRUE = /stonith-enabled\s*=\s*["']?(?:true|yes|on|y|1)\b/i;
const STONITH_DEVICE = /\bpcs\s+(?:-f\s+\S+\s+)?stonith\s+create\s+\S+\s+fence_\w+/;

/**
 * (f) The remote command that applies the Pacemaker configuration sets `stonith-enabled=true`,
 * never `stonith-enabled=false`, and some pcs script of the stack creates a fence device. A
 * database stack (one with a `dbaas:index:Database` component) without any such command is a
 * violation too: fencing cannot be verified.
 */
export const fencingEnabled: StackPolicy = (resources) => {
    const out: Violation[] = [];
    let sawConfiguration = false;
    let sawDevice = false;
    let firstConfiguration: CheckedResource | undefined;
    for (const r of ofType(resources, TYPES.remoteCommand)) {
        if (["create", "update", "stdin"].some((k) => r.props[k] === UNKNOWN)) continue;
        const texts = commandTexts(r);
        if (!texts.some(isPacemakerConfiguration)) continue;
        const all = texts.join("\n");
        sawConfiguration = true;
        firstConfiguration ??= r;
        if (STONITH_DEVICE.test(all)) sawDevice = true;
        if (STONITH_FALSE.test(all)) {
            out.push(violation("fencing-enabled", r, "its Pacemaker configuration sets stonith-enabled=false: without fencing, a failover can mount the data volume on two nodes"));
        } else if (/stonith-enabled/.test(all) || /\bproperty\s+set\b/.test(all)) {
            if (!STONITH_TRUE.test(all)) out.push(violation("fencing-enabled", r, "its Pacemaker configuration does not set stonith-enabled=true"));
        }
    }
    const unknownCommands = ofType(resources, TYPES.remoteCommand).some((r) => ["create", "update", "stdin"].some((k) => r.props[k] === UNKNOWN));
    const isDatabaseStack = resources.some((r) => r.type === TYPES.database);
    if (sawConfiguration) {
        const setsTrue = ofType(resources, TYPES.remoteCommand).some((r) => commandTexts(r).some((t) => STONITH_TRUE.test(t)));
        if (!setsTrue && !out.length) out.push(violation("fencing-enabled", firstConfiguration, "no Pacemaker configuration of this stack sets stonith-enabled=true"));
        if (!sawDevice) out.push(violation("fencing-enabled", firstConfiguration, "no Pacemaker configuration of this stack creates a fence device (pcs stonith create … fence_openstack)"));
    } else if (isDatabaseStack && !unknownCommands) {
        out.push(violation("fencing-enabled", undefined, "this database stack has no remote command applying a Pacemaker configuration (pcs …): fencing cannot be verified"));
    }
    return out;
};
