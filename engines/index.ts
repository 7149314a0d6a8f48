/**
 * The engine registry: one entry per {@link EngineName}. The table's type makes it exhaustive:
 * a new engine name without a definition (or a definition without a name) does not compile.
 */
import { Engine, EngineName, VersionResolution } from "./engine";
import { mariadb } from "./mariadb";
import { postgresql } from "./postgresql";

export * from "./engine";
export { BATCH_TASK_MB, NODE_RESERVED_MB } from "./common";

/** Every engine, by name. */
export const ENGINES: { readonly [E in EngineName]: Engine } = { postgresql, mariadb };

/** The engine names, in the order the documentation lists them. */
export const ENGINE_NAMES: readonly EngineName[] = ["postgresql", "mariadb"];

/** The definition of an engine. */
export function engineOf(name: EngineName): Engine {
    return ENGINES[name];
}

/**
 * `dbaas:version` → the release deployed: a line ("16", "11.4") gives the minor the program
 * pins, an exact minor ("16.9", "11.4.12") is pinned as given (its shape and line checked); a
 * retired or unknown version gives one sentence naming the end-of-life date (when retired) and
 * the versions accepted, to follow `dbaas:version = "14": `.
 */
export function resolveVersion(engine: EngineName, text: string): VersionResolution {
    return ENGINES[engine].resolveVersion(text);
}
