import { writeFileSync } from "fs";
import { join } from "path";
import { ConnectionInfo, connectionFile } from "../../render/connection";
import { Command, UserError } from "../command";
import { isObject, requireOutput, stackOutputs } from "../stackOutputs";

const FIELDS: readonly (keyof ConnectionInfo)[] = ["engine", "version", "host", "port", "database", "user", "sslmode", "caCert"];

/** The public part of a stack's `connection` output; a {@link UserError} naming what is missing. */
export function connectionInfo(outputs: Record<string, unknown>, stack: string): ConnectionInfo {
    const connection = requireOutput(outputs, stack, "connection", isObject, "how applications connect");
    const missing = FIELDS.filter((f) => connection[f] === undefined || connection[f] === "");
    if (missing.length > 0) throw new UserError(`stack ${stack}'s connection output lacks ${missing.join(", ")}`);
    if (typeof connection["port"] !== "number") throw new UserError(`stack ${stack}'s connection output has a port that is not a number`);
    return Object.fromEntries(FIELDS.map((f) => [f, connection[f]])) as unknown as ConnectionInfo;
}

/** `dbaas connection`: the GitOps file of a database stack. */
export const connection: Command = {
    name: "connection",
    summary: "Write the GitOps file <database>.yml: how applications connect (no secret in it).",
    options: {
        stack: { type: "string", value: "NAME", help: "the database stack", required: true },
        outputs: { type: "string", value: "FILE", help: "the stack's outputs (pulumi stack output --json), instead of asking the Pulumi CLI" },
        out: { type: "string", value: "DIR", help: "where to write the file (default: the current folder)" },
    },
    details: "Reads the stack's `connection` output (its password stays a Pulumi secret: the file says how to read it).",
    async run({ options }, io) {
        const stack = String(options["stack"]);
        const outputs = stackOutputs(stack, { file: options["outputs"] as string | undefined, command: "connection" });
        const info = connectionInfo(outputs, stack);
        const path = join(String(options["out"] ?? "."), `${info.database}.yml`);
        writeFileSync(path, connectionFile(info, stack));
        io.out(`${path}\n`);
        return 0;
    },
};
