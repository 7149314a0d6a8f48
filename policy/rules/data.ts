/** (c) data volumes and backup containers survive a destroy or a replacement. */
import { StackPolicy, TYPES, Violation, violation } from "../resource";

// ---------------------------------------------------------------------------------------------
// (c) Data volumes and backup containers survive a `pulumi destroy` or a replacement.

/**
 * (c) Every data volume and every backup container is `protect`ed or `retainOnDelete`, unless
 * the stack says `dbaas:deleteData: true`: the documented way to let `pulumi destroy` delete a
 * database's data, its backups included.
 */
export const dataIsProtected: StackPolicy = (resources, config) => {
    const out: Violation[] = [];
    const deleteData = (config["dbaas:deleteData"] ?? "").trim().toLowerCase() === "true";
    for (const r of resources) {
        if (r.type !== TYPES.volume && r.type !== TYPES.container) continue;
        if (r.protect || r.retainOnDelete) continue;
        if (deleteData) continue;
        const what = r.type === TYPES.volume ? "data volume" : "backup container";
        out.push(
            violation(
                "data-is-protected",
                r,
                `this ${what} is neither protected nor retained on delete: a destroy or a replacement would delete the data (set dbaas:deleteData to true to allow it on purpose)`,
            ),
        );
    }
    return out;
};
