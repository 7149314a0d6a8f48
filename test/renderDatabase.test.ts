/**
 * The offline plan of each example database config, as `npm run render` writes it, checked by
 * the real tools: every node's user data by `cloud-init schema`, every shell script (written
 * files and those inside user data) by shellcheck, every Nomad job by the strict schema; the
 * GitOps connection file holds no secret.
 */
import * as assert from "assert";
import { readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { nomadJobErrors } from "./support/nomadSchema";
import { requireTool, run } from "./support/exec";
import { useTempDir } from "./support/fixtures";

const ROOT = join(__dirname, "..");

for (const [file, nodes, database] of [["Pulumi.my-first-db.yaml", 2, "my-first-db"], ["Pulumi.my-first-mariadb.yaml", 3, "shop"]] as const) {
    describe(`offline plan of ${file}, checked by the real tools`, () => {
        const tmp = useTempDir("dbaas-render-db-");
        const out = () => join(tmp(), "plan");
        before(() => {
            const r = run("node", ["cli/dbaas.js", "render", "--config", file, "--out", out()], { cwd: ROOT });
            assert.equal(r.status, 0, r.stderr);
        });

        it("every node's user data passes `cloud-init schema`", () => {
            requireTool("cloud-init", "cloud-init");
            const dir = join(out(), "artifacts", "cloud-init");
            const files = readdirSync(dir).sort();
            assert.deepEqual(files, Array.from({ length: nodes }, (_, i) => `${database}-${i}.yaml`));
            for (const f of files) {
                const r = run("cloud-init", ["schema", "--config-file", join(dir, f)]);
                assert.equal(r.status, 0, `${f}: ${r.stdout}${r.stderr}`);
            }
        });

        it("every shell script, written or inside user data, passes shellcheck", () => {
            requireTool("shellcheck", "shellcheck");
            const scripts = readdirSync(join(out(), "artifacts", "pacemaker")).map((f) => join(out(), "artifacts", "pacemaker", f));
            const userData = parse(readFileSync(join(out(), "artifacts", "cloud-init", `${database}-0.yaml`), "utf8")) as { write_files: { path: string; content: string }[] };
            for (const f of userData.write_files.filter((w) => /^#!\/usr\/bin\/env bash|^#!\/bin\/bash/.test(w.content))) {
                const path = join(tmp(), f.path.replace(/\//g, "_"));
                writeFileSync(path, f.content);
                scripts.push(path);
            }
            assert.ok(scripts.some((s) => s.includes("dbaas-nomad-takeover")), "the takeover script is checked");
            for (const s of scripts) {
                const r = run("shellcheck", ["--shell=bash", s]);
                assert.equal(r.status, 0, `${s}:\n${r.stdout}`);
            }
        });

        it("writes the engine, configure and sql jobs, each valid against the strict Nomad schema", () => {
            const dir = join(out(), "artifacts", "nomad");
            assert.deepEqual(readdirSync(dir).sort(), [`${database}-configure.json`, `${database}-engine.json`, `${database}-sql.json`]);
            for (const f of readdirSync(dir)) assert.deepEqual(nomadJobErrors(JSON.parse(readFileSync(join(dir, f), "utf8"))), [], f);
        });

        it("writes artifacts/connection.yml, and no secret anywhere in the plan", () => {
            const connection = parse(readFileSync(join(out(), "artifacts", "connection.yml"), "utf8")) as Record<string, unknown>;
            assert.equal(connection["database"], database);
            const everything = [readFileSync(join(out(), "plan.json"), "utf8"), ...readdirSync(join(out(), "artifacts"), { recursive: true, withFileTypes: true })
                .filter((d) => d.isFile()).map((d) => readFileSync(join(d.parentPath, d.name), "utf8"))].join("\n");
            assert.doesNotMatch(everything, /MOCKSECRET/);
            assert.doesNotMatch(readFileSync(join(out(), "artifacts", "connection.yml"), "utf8"), /\[secret\]/);
        });
    });
}
