import { Command, UserError } from "../command";
import { forcePeriodic } from "../nomad";
import { envTarget, followJob, STACK_OPTIONS, stackJob, timeoutOf } from "../jobRun";

/** `dbaas backup`: takes a backup now (a forced run of the periodic backup job) and waits for it. */
export const backup: Command = {
    name: "backup",
    summary: "Take a backup of a database now (a run of its backup job) and wait until it is committed, copied and pruned.",
    options: {
        ...STACK_OPTIONS,
        job: { type: "string", value: "ID", help: "the backup job's id, with Nomad from DBAAS_NOMAD_* (what pulumi destroy runs), instead of --stack" },
        "nomad-from-env": { type: "boolean", help: "Nomad's address, token, CA and region from DBAAS_NOMAD_ADDR, _TOKEN, _CACERT, _REGION" },
    },
    details: "Forces a run of the stack's periodic Nomad job `<database>-backup` (Nomad's periodic force), follows its allocation and prints "
        + "its tasks' logs; exits 1 when the backup failed. `pulumi destroy` runs it with --job and --nomad-from-env before it deletes "
        + "anything of the database (the final backup).",
    async run({ options }, io) {
        const timeout = timeoutOf(options);
        if (options["job"] !== undefined && !options["nomad-from-env"]) throw new UserError("dbaas backup: --job needs --nomad-from-env (or use --stack)", 2);
        const { target, jobId } = options["job"] !== undefined ? { target: envTarget(), jobId: String(options["job"]) } : stackJob(options, "backup", "backup");
        const child = await forcePeriodic(target, jobId);
        io.err(`dbaas backup: started ${child}\n`);
        const run = await followJob(target, child, ["dump", "upload"], timeout, io);
        if (!run.ok) {
            io.err(`dbaas backup: ${child} ${run.allocation.ClientStatus}: the backup failed, see its errors above\n`);
            return 1;
        }
        io.err(`dbaas backup: ${child} complete\n`);
        return 0;
    },
};
