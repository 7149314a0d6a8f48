/**
 * The engine registry: one entry per {@link EngineName}. The table's type makes it exhaustive:
 * a new engine name without a definition (or a definition without a name) does not compile.
 */
import { Engine, EngineName } from "./engine";
import { mariadb } from "./mariadb";
import { postgresql } from "./postgresql";

export { Engine, EngineName } from "./engine";

/** Every engine, by name. */
export const ENGINES: { readonly [E in EngineName]: Engine } = { postgresql, mariadb };

/** The engine names, in the order the documentation lists them. */
export const ENGINE_NAMES: readonly EngineName[] = ["postgresql", "mariadb"];

/** The definition of an engine. */
export function engineOf(name: EngineName): Engine {
    return ENGINES[name];
}

/** The longest clean shutdown of any engine: what a database node lets docker give its containers when it stops. */
export const LONGEST_CLEAN_SHUTDOWN_SECONDS = Math.max(...ENGINE_NAMES.map((e) => ENGINES[e].cleanShutdown.seconds));
