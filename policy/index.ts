/**
 * The cloud-dbaas policy pack. Constructing a PolicyPack starts the analyzer's gRPC server, so
 * this file only wires `./rules` (the policies, plain functions that the tests import) into one.
 *
 * Run: `pulumi preview --policy-pack policy` (the GitHub workflows pass `policyPacks: policy`).
 */
import { PolicyPack, type StackValidationPolicy } from "@pulumi/policy";
import { fromPolicyResource } from "./adapt";
import { POLICIES } from "./rules";
import { loadStackConfig } from "./stackConfig";

const policies: StackValidationPolicy[] = POLICIES.map((p) => ({
    name: p.name,
    description: p.description,
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = args.resources.map(fromPolicyResource);
        const { config } = loadStackConfig(resources.map((r) => r.urn));
        for (const v of p.check(resources, config)) reportViolation(v.message, v.urn);
    },
}));

new PolicyPack("cloud-dbaas", { enforcementLevel: "mandatory", policies });
