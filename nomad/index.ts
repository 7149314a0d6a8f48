/**
 * Our typed declarations of the pulumi-nomad resources we use: a subset of `@pulumi/nomad`'s
 * surface, so that `import * as nomad from "./nomad"` becomes `import * as nomad from "@pulumi/nomad"`
 * once that package can be installed.
 */
export { NOMAD_PLUGIN_VERSION } from "./plugin";
export { Provider, ProviderArgs } from "./provider";
export { Job, JobArgs } from "./job";
export { Variable, VariableArgs } from "./variable";
export { AclPolicy, AclPolicyArgs } from "./aclPolicy";
export { AclToken, AclTokenArgs } from "./aclToken";
