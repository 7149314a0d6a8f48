/**
 * The typed, validated stack configuration: types (types.ts), value rules (rules.ts), one key
 * table per stack kind (keys/), the parser (parse.ts) and its errors (errors.ts). Pure: the
 * program reads it through load.ts.
 */
export * from "./types";
export { ConfigError, ConfigProblem, formatConfigProblem } from "./errors";
export { CONFIG_KEYS } from "./keys";
export { parseStackConfig, ParseOptions } from "./parse";
