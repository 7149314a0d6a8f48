/**
 * The offline plan, as reviewers and CI run it (`npm run render`), and every file it writes
 * checked by the real tool that consumes it: cloud-init schema, shellcheck.
 */
import * as assert from "assert";
import { readFileSync, readdirSync, statSync, writeFileSync } from "fs";
import { join, relative } from "path";
import { parse } from "yaml";
import { run, requireTool } from "./support/exec";
import { useTempDir } from "./support/fixtures";
import { runStack } from "../plan/run";
import { fileDropCommand } from "../render/fileDrop";

const ROOT = join(__dirname, "..");

function render(config: string, out: string) {
    return run("node", ["cli/dbaas.js", "render", "--config", config, "--out", out], { cwd: ROOT });
}

function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

describe("offline plan: npm run render", () => {
    const tmpDir = useTempDir("dbaas-render-");

    describe("the control-plane example (Pulumi.dev.yaml)", () => {
        let out: string;
        let secrets: string[];
        before(async () => {
            out = join(tmpDir(), "dev");
            const r = render("Pulumi.dev.yaml", out);
            assert.equal(r.status, 0, r.stderr);
            // The mocks are deterministic: the same run in-process hands out the same secrets.
            secrets = (await runStack("Pulumi.dev.yaml")).secretValues;
        });

        it("writes plan.json with every resource's type, name, parent, dependencies, options and inputs", () => {
            const plan = JSON.parse(readFileSync(join(out, "plan.json"), "utf8"));
            assert.equal(plan.stack, "dev");
            assert.ok(plan.resources.length > 40);
            for (const r of plan.resources) {
                assert.deepEqual(Object.keys(r), ["type", "name", "parent", "dependsOn", "protect", "retainOnDelete", "ignoreChanges", "inputs"]);
            }
            assert.equal(plan.outputs.sshPrivateKey, "[secret]");
            assert.equal(plan.outputs.nomadToken, "[secret]");
        });

        it("writes one cloud-init file per server, each accepted by `cloud-init schema`", () => {
            requireTool("cloud-init", "cloud-init");
            const dir = join(out, "artifacts", "cloud-init");
            const files = readdirSync(dir).sort();
            assert.deepEqual(files, ["dbaas-dev-bastion.yaml", "dbaas-dev-server-0.yaml", "dbaas-dev-server-1.yaml", "dbaas-dev-server-2.yaml"]);
            for (const f of files) {
                const r = run("cloud-init", ["schema", "--config-file", join(dir, f)]);
                assert.equal(r.status, 0, `${f}: ${r.stdout}${r.stderr}`);
                assert.ok(readFileSync(join(dir, f), "utf8").startsWith("#cloud-config\n"));
            }
        });

        it("cloud-init schema rejects a broken module (the check can fail)", () => {
            const dir = join(out, "artifacts", "cloud-init");
            const doc = parse(readFileSync(join(dir, "dbaas-dev-server-0.yaml"), "utf8"));
            doc.write_files[0].permissions = 644; // a number where cloud-init wants a string
            doc.packages = "consul";
            const broken = join(tmpDir(), "broken.yaml");
            writeFileSync(broken, `#cloud-config\n${JSON.stringify(doc)}`);
            const r = run("cloud-init", ["schema", "--config-file", broken]);
            assert.notEqual(r.status, 0, r.stdout);
        });

        it("server user data installs Consul and Nomad from HashiCorp's repository, and leaves them stopped until their secrets arrive", () => {
            const doc = parse(readFileSync(join(out, "artifacts", "cloud-init", "dbaas-dev-server-1.yaml"), "utf8"));
            assert.equal(doc.apt.sources.hashicorp.keyid, "798AEC654E5C15428C8E42EEAA16FCBCA621E701");
            assert.deepEqual(doc.packages.filter((p: unknown) => Array.isArray(p)), [["consul", "1.20.2-1"], ["nomad", "1.9.4-1"]]);
            assert.ok(doc.runcmd.some((c: string[]) => c.join(" ") === "systemctl disable --now consul nomad"));
            const consul = JSON.parse(doc.write_files.find((f: { path: string }) => f.path === "/etc/consul.d/consul.json").content);
            assert.equal(consul.acl.enabled, true);
            assert.equal(consul.acl.default_policy, "deny");
            assert.equal(consul.bootstrap_expect, 3);
            assert.equal(consul.retry_join.length, 3);
            assert.equal(consul.encrypt, undefined, "the gossip key travels over SSH");
            const nomad = JSON.parse(doc.write_files.find((f: { path: string }) => f.path === "/etc/nomad.d/nomad.json").content);
            assert.equal(nomad.acl.enabled, true);
            assert.equal(nomad.tls.http, true);
            assert.deepEqual(nomad.server.server_join.retry_join, consul.retry_join);
        });

        it("every shell script it writes passes shellcheck", () => {
            requireTool("shellcheck", "shellcheck");
            const scripts = filesUnder(join(out, "artifacts")).filter((f) => f.endsWith(".sh"));
            assert.ok(scripts.length >= 1);
            const drop = join(tmpDir(), "file-drop.sh");
            writeFileSync(drop, `#!/usr/bin/env bash\n${fileDropCommand(["consul", "nomad"])}`);
            for (const f of [...scripts, drop]) {
                const r = run("shellcheck", ["--shell=bash", f]);
                assert.equal(r.status, 0, `${relative(out, f)}:\n${r.stdout}`);
            }
        });

        it("renders the same plan and files twice (a reviewer's diff shows only what a change did)", () => {
            const again = join(tmpDir(), "dev-again");
            assert.equal(render("Pulumi.dev.yaml", again).status, 0);
            const a = filesUnder(out).map((f) => relative(out, f)).sort();
            assert.deepEqual(filesUnder(again).map((f) => relative(again, f)).sort(), a);
            for (const f of a) assert.equal(readFileSync(join(again, f), "utf8"), readFileSync(join(out, f), "utf8"), `${f} differs between two renders`);
        });

        it("shows [secret] in the files sent over SSH, and no secret in clear in any file", () => {
            const sent = JSON.parse(readFileSync(join(out, "artifacts", "ssh", "dbaas-dev-server-0.json"), "utf8"));
            const consulSecrets = JSON.parse(sent.files.find((f: { path: string }) => f.path === "/etc/consul.d/secrets.json").content);
            assert.equal(consulSecrets.encrypt, "[secret]");
            assert.equal(consulSecrets.acl.tokens.initial_management, "[secret]");
            assert.ok(secrets.length >= 8);
            for (const f of filesUnder(out)) {
                const text = readFileSync(f, "utf8");
                const leaked = secrets.filter((s) => text.includes(s));
                assert.deepEqual(leaked, [], `${relative(out, f)} carries a secret`);
                assert.doesNotMatch(text, /MOCKSECRET/, `${relative(out, f)} carries a secret`);
            }
        });
    });

    it("renders the database example (Pulumi.my-first-db.yaml) on its own, with placeholder control-plane outputs", () => {
        const out = join(tmpDir(), "db");
        const r = render("Pulumi.my-first-db.yaml", out);
        assert.equal(r.status, 0, r.stderr);
        const plan = JSON.parse(readFileSync(join(out, "plan.json"), "utf8"));
        assert.equal(plan.stack, "my-first-db");
        assert.doesNotMatch(readFileSync(join(out, "plan.json"), "utf8"), /MOCKSECRET/);
    });

    describe("bad config: exits non-zero and names the key", () => {
        const cases: { what: string; file: string; set: Record<string, unknown>; key: string }[] = [
            { what: "a missing required key", file: "Pulumi.my-first-db.yaml", set: { "dbaas:engine": undefined }, key: "dbaas:engine" },
            { what: "a name that is not a DNS label", file: "Pulumi.my-first-db.yaml", set: { "dbaas:name": "My_DB" }, key: "dbaas:name" },
            { what: "a size that is not a positive integer", file: "Pulumi.my-first-db.yaml", set: { "dbaas:sizeGb": 0 }, key: "dbaas:sizeGb" },
            { what: "a size above the bound", file: "Pulumi.my-first-db.yaml", set: { "dbaas:sizeGb": 100000 }, key: "dbaas:sizeGb" },
            { what: "an unknown engine", file: "Pulumi.my-first-db.yaml", set: { "dbaas:engine": "oracle" }, key: "dbaas:engine" },
            { what: "a version the engine does not support", file: "Pulumi.my-first-db.yaml", set: { "dbaas:version": "9.6" }, key: "dbaas:version" },
            { what: "nodes not 2 or 3", file: "Pulumi.my-first-db.yaml", set: { "dbaas:nodes": 4 }, key: "dbaas:nodes" },
            { what: "a malformed CIDR", file: "Pulumi.my-first-db.yaml", set: { "dbaas:allowedCidrs": ["10.0.0.0/33"] }, key: "dbaas:allowedCidrs" },
            { what: "0.0.0.0/0 for operator SSH", file: "Pulumi.dev.yaml", set: { "dbaas:operatorCidrs": ["0.0.0.0/0"] }, key: "dbaas:operatorCidrs" },
            { what: "an unknown dbaas: key (a typo)", file: "Pulumi.my-first-db.yaml", set: { "dbaas:sizeGB": 10 }, key: "dbaas:sizeGB" },
            { what: "a string where a number is expected", file: "Pulumi.my-first-db.yaml", set: { "dbaas:sizeGb": "ten" }, key: "dbaas:sizeGb" },
        ];
        for (const c of cases) {
            it(`${c.what}: ${c.key}`, () => {
                const doc = parse(readFileSync(join(ROOT, c.file), "utf8"));
                for (const [k, v] of Object.entries(c.set)) {
                    if (v === undefined) delete doc.config[k];
                    else doc.config[k] = v;
                }
                const file = join(tmpDir(), c.file.replace("Pulumi.", "Pulumi.bad-"));
                writeFileSync(file, JSON.stringify(doc));
                const out = join(tmpDir(), "bad");
                const r = render(file, out);
                assert.equal(r.status, 1, `expected exit 1, got ${r.status}: ${r.stderr}`);
                assert.ok(r.stderr.includes(c.key), `the message does not name ${c.key}:\n${r.stderr}`);
                assert.throws(() => statSync(join(out, "plan.json")), "no plan is written for a bad config");
            });
        }
    });
});
