import { Command } from "../command";
import { readInputFile } from "../files";
import { dispatch } from "../nomad";
import { followJob, STACK_OPTIONS, stackJob, timeoutOf } from "../jobRun";

/** `dbaas sql`: runs a SQL file as the administrator through the database's sql job. */
export const sql: Command = {
    name: "sql",
    summary: "Run a SQL file as the database's administrator (one transaction, stops at the first error) and print its output.",
    arguments: "<file>",
    positionals: 1,
    options: { ...STACK_OPTIONS, stack: { ...STACK_OPTIONS["stack"]!, required: true }, timeout: { ...STACK_OPTIONS["timeout"]!, help: "how long to wait for the job (default 600)" } },
    details: [
        "Dispatches the stack's parameterized Nomad job `<database>-sql` with the file as its payload, waits",
        "for it, prints its output and errors, and exits with its exit code. Needs the control plane's Nomad",
        "API (its address, CA and token: the control-plane stack's outputs, read with the Pulumi CLI).",
    ].join("\n"),
    async run({ options, positionals }, io) {
        const payload = Buffer.from(readInputFile(positionals[0]!, "SQL file"));
        const timeout = timeoutOf(options, 600);
        const { target, jobId } = stackJob(options, "sql", "sql");
        const dispatched = await dispatch(target, jobId, payload);
        io.err(`dbaas sql: dispatched ${dispatched}\n`);
        const run = await followJob(target, dispatched, ["sql"], timeout, io);
        if (!run.ok) {
            io.err(`dbaas sql: ${dispatched} ${run.allocation.ClientStatus}: see its errors above\n`);
            return 1;
        }
        return 0;
    },
};
