/** The keys both kinds of stack take. */
import { enumRule, nameRule, patternRule } from "../rules";
import { StackKind } from "../types";
import { BOTH, key, KeyDef } from "./key";


/** The common keys, in README order. */
export const COMMON_KEYS: readonly KeyDef[] = [
    key({
        name: "kind", kinds: BOTH, required: true, type: "string", rule: enumRule<StackKind>(["control-plane", "database"]),
        description: "Which stack this is: the shared control plane, or one database.",
    }),
    key({ name: "flavor", kinds: BOTH, required: true, type: "string", rule: nameRule("a Nova flavor"), description: "Nova flavor of the servers." }),
    key({
        name: "image", kinds: BOTH, required: true, type: "string", rule: nameRule("a Glance image of Debian 12"),
        description: "Glance image of the servers (Debian 12).",
    }),
    key({
        name: "sshUser", kinds: BOTH, required: false, default: "debian", defaultText: `"debian"`, type: "string",
        rule: patternRule(/^[a-z_][a-z0-9_-]{0,31}$/, "a Linux user name: lowercase letters, digits, '_' and '-', starting with a letter or '_', at most 32 characters"),
        description: "User that SSH logs in as (through the bastion).",
    }),
];
