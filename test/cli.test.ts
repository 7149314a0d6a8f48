/**
 * The operators' tool, `dbaas` (cli/), as a shell runs it: help on the tool and on each command,
 * and input errors as one clear line with a non-zero exit, never a stack trace.
 */
import * as assert from "assert";
import { writeFileSync } from "fs";
import { join } from "path";
import { COMMANDS } from "../cli/commands";
import { run } from "./support/exec";
import { useTempDir } from "./support/fixtures";

const ROOT = join(__dirname, "..");

function dbaas(...args: string[]) {
    return run("node", ["cli/dbaas.js", ...args], { cwd: ROOT });
}

/** One line on stderr, starting with "dbaas: ", no stack trace. */
function assertOneLine(stderr: string, pattern: RegExp): void {
    const lines = stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
    assert.match(lines[0]!, /^dbaas: /);
    assert.match(lines[0]!, pattern);
    assert.doesNotMatch(stderr, /\bat .*\.(ts|js):\d+/);
}

describe("dbaas, the operators' tool", () => {
    const tmpDir = useTempDir("dbaas-cli-");

    it("--help lists every command; no command is a usage error", () => {
        const help = dbaas("--help");
        assert.equal(help.status, 0);
        for (const c of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${c.name} +${c.summary.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"));
        const none = dbaas();
        assert.equal(none.status, 2);
        assert.match(none.stderr, /usage: dbaas <command>/);
    });

    for (const command of COMMANDS) {
        it(`${command.name} --help shows its usage and every option`, () => {
            const r = dbaas(command.name, "--help");
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`^usage: dbaas ${command.name}`));
            for (const option of Object.keys(command.options)) assert.match(r.stdout, new RegExp(`--${option}\\b`));
        });
    }

    it("an unknown command, an unknown option, a missing option: one line, exit 2", () => {
        const unknown = dbaas("rendr");
        assert.equal(unknown.status, 2);
        assertOneLine(unknown.stderr, /unknown command "rendr".*render/);
        const option = dbaas("render", "--config", "Pulumi.dev.yaml", "--out", tmpDir(), "--colour");
        assert.equal(option.status, 2);
        assertOneLine(option.stderr, /--colour/);
        const missing = dbaas("render", "--config", "Pulumi.dev.yaml");
        assert.equal(missing.status, 2);
        assertOneLine(missing.stderr, /missing --out/);
    });

    it("render: a missing file, a file not named Pulumi.<stack>.yaml, bad YAML: one line naming the file, exit 1", () => {
        const missing = dbaas("render", "--config", join(tmpDir(), "Pulumi.nope.yaml"), "--out", tmpDir());
        assert.equal(missing.status, 1);
        assertOneLine(missing.stderr, /Pulumi\.nope\.yaml: no such file/);
        const misnamed = join(tmpDir(), "stack.yaml");
        writeFileSync(misnamed, "config: {}\n");
        const named = dbaas("render", "--config", misnamed, "--out", tmpDir());
        assert.equal(named.status, 1);
        assertOneLine(named.stderr, /stack\.yaml: a stack config file is named Pulumi\.<stack>\.yaml/);
        const broken = join(tmpDir(), "Pulumi.broken.yaml");
        writeFileSync(broken, "config:\n  dbaas:kind: [unclosed\n");
        const yaml = dbaas("render", "--config", broken, "--out", tmpDir());
        assert.equal(yaml.status, 1);
        assertOneLine(yaml.stderr, /Pulumi\.broken\.yaml: /);
    });
});
