import { ConfigError } from "../../config/errors";
import { runStack } from "../../plan/run";
import { writePlan } from "../../plan/write";
import { Command, UserError } from "../command";
import { requireStackFile } from "../files";

/** `dbaas render`: the offline plan of a stack config. */
export const render: Command = {
    name: "render",
    summary: "Write the offline plan of a stack config: what it would create, and every generated file.",
    options: {
        config: { type: "string", value: "Pulumi.<stack>.yaml", help: "the stack config file", required: true },
        out: { type: "string", value: "DIR", help: "where to write plan.json and artifacts/", required: true },
    },
    details: [
        "Runs the program under the Pulumi SDK's mock runtime: no cloud, no Pulumi CLI. Writes DIR/plan.json",
        "(every resource with its parent, dependencies, protection and inputs; the outputs) and DIR/artifacts/",
        "(every generated file as the machines receive it). Every secret is [secret]. A database config renders",
        "on its own: its control plane's outputs are the placeholders of plan/placeholders.ts.",
    ].join("\n"),
    async run({ options }, io) {
        const config = requireStackFile(String(options["config"]));
        const out = String(options["out"]);
        let run;
        try {
            run = await runStack(config);
        } catch (err) {
            if (err instanceof ConfigError) throw new UserError(`${config}: invalid stack config:\n${err.message}`);
            throw err;
        }
        writePlan(run, out);
        io.out(`${run.stack}: ${run.resources.length} resources, ${Object.keys(run.artifacts).length} artifacts -> ${out}\n`);
        return 0;
    },
};
