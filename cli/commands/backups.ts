import { Command } from "../command";
import { dispatch } from "../nomad";
import { CLOUD_STACK_OPTIONS, cloudOf, followJob, stackJob, timeoutOf } from "../jobRun";
import { listingTable, parseListing } from "../backupList";
import { RESTORE_META } from "../../jobs/restore";

/** `dbaas backups`: lists a database's backups with their manifests. */
export const backups: Command = {
    name: "backups",
    summary: "List a database's backups (newest first) with their manifests: times, size, sha256, engine, row counts.",
    options: { ...CLOUD_STACK_OPTIONS, json: { type: "boolean", help: "print the manifests as JSON" } },
    details: "Dispatches the stack's Nomad job `<database>-backups`, which lists the container (decrypting names and manifests on the node: the key never leaves the cluster).",
    async run({ options }, io) {
        const timeout = timeoutOf(options, 600);
        const cloud = cloudOf(options);
        const { target, jobId } = stackJob(options, "backups", "backups");
        const dispatched = await dispatch(target, jobId, undefined, { [RESTORE_META.cloud]: cloud });
        const quiet = { out: () => undefined, err: io.err };
        const run = await followJob(target, dispatched, ["list"], timeout, quiet);
        if (!run.ok) {
            io.err(`dbaas backups: ${dispatched} ${run.allocation.ClientStatus}: could not list the ${cloud} cloud's backups, see above\n`);
            return 1;
        }
        const listing = parseListing(run.stdout["list"] ?? "");
        io.out(options["json"] ? `${JSON.stringify(listing, null, 2)}\n` : listingTable(listing));
        return 0;
    },
};
