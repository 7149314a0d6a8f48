import { StackConfig } from "../config";
import { controlPlaneStack } from "./controlPlane";
import { databaseStack } from "./database";
import { StackDefinition } from "./types";

export { StackDefinition } from "./types";

/** The stack program for a validated config: control plane or database. */
export function defineStack(cfg: StackConfig): StackDefinition {
    switch (cfg.kind) {
        case "control-plane":
            return controlPlaneStack(cfg);
        case "database":
            return databaseStack(cfg);
    }
}
