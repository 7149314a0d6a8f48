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

        it("writes the engine, configure, sql, backup, restore, backups and restore-drill jobs, each valid against the strict Nomad schema", () => {
            const dir = join(out(), "artifacts", "nomad");
            assert.deepEqual(readdirSync(dir).sort(), ["backup", "backups", "configure", "engine", "restore-drill", "restore", "sql"].map((k) => `${database}-${k}.json`));
            for (const f of readdirSync(dir)) assert.deepEqual(nomadJobErrors(JSON.parse(readFileSync(join(dir, f), "utf8"))), [], f);
        });

        it("every script the jobs' tasks run passes shellcheck (sh or bash, as its first line says)", () => {
            requireTool("shellcheck", "shellcheck");
            const dir = join(out(), "artifacts", "nomad");
            let checked = 0;
            for (const f of readdirSync(dir)) {
                const job = JSON.parse(readFileSync(join(dir, f), "utf8")) as { Job: { TaskGroups: { Tasks: { Name: string; Templates: { DestPath: string; EmbeddedTmpl: string }[] }[] }[] } };
                for (const task of job.Job.TaskGroups.flatMap((g) => g.Tasks)) {
                    for (const t of task.Templates.filter((x) => x.DestPath.endsWith(".sh"))) {
                        const path = join(tmp(), `${f}-${task.Name}-${t.DestPath.replace(/\//g, "_")}`);
                        writeFileSync(path, t.EmbeddedTmpl);
                        const r = run("shellcheck", ["--shell", t.EmbeddedTmpl.startsWith("#!/bin/sh") ? "sh" : "bash", path]);
                        assert.equal(r.status, 0, `${f} ${task.Name} ${t.DestPath}:\n${r.stdout}`);
                        checked++;
                    }
                }
            }
            assert.ok(checked >= 10, `${checked} scripts checked`);
        });

        it("declares the backup containers protected and retained on delete", () => {
            const plan = JSON.parse(readFileSync(join(out(), "plan.json"), "utf8")) as { resources: { type: string; name: string; protect: boolean; retainOnDelete: boolean; inputs: Record<string, unknown> }[] };
            const containers = plan.resources.filter((r) => r.type === "openstack:objectstorage/container:Container");
            assert.deepEqual(containers.map((c) => c.inputs["name"]).sort(), [`${database}-backups`, `${database}-backups_segments`]);
            assert.ok(containers.every((c) => c.protect && c.retainOnDelete));
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
