/** Every `dbaas:` key: the common ones, then the control plane's, then a database's. */
import { ConfigKeyInfo } from "../types";
import { COMMON_KEYS } from "./common";
import { CONTROL_PLANE_KEYS } from "./controlPlane";
import { DATABASE_KEYS } from "./database";
import { KeyDef } from "./key";

export { KeyDef, BOTH } from "./key";

/** Every key with its rule, for the parser. */
export const KEY_DEFS: readonly KeyDef[] = [...COMMON_KEYS, ...CONTROL_PLANE_KEYS, ...DATABASE_KEYS];

/** Machine-readable description of every `dbaas:` key (name, kinds, required/default, accepted values, secret); the README is checked against it. */
export const CONFIG_KEYS: readonly ConfigKeyInfo[] = Object.freeze(
    KEY_DEFS.map(({ rule: _rule, ...info }) => Object.freeze({ ...info, kinds: Object.freeze([...info.kinds]) })),
);
