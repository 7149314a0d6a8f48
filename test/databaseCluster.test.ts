/**
 * The Pacemaker configuration the database stack itself generates (the offline plan's
 * artifacts/pacemaker/configure.sh), for 2 and 3 nodes, proven by Pacemaker's own tools — and
 * the re-apply step of the live wrapper run twice on a real CIB file: harmless when re-run.
 */
import * as assert from "assert";
import { readFileSync } from "fs";
import { runStack } from "../plan/run";
import { reapplyScript, applyScript } from "../render/pacemaker";
import { RESOURCE_IDS } from "../render/pacemaker";
import { TempDir, activeNodes, crmSimulate, crmVerify, parseGraph, runOk, startOf, waitsFor, writeEmptyCib, findActions } from "./support/pacemaker-tools";
import { run } from "./support/exec";

for (const nodes of [2, 3]) {
    describe(`database stack's generated Pacemaker configuration, ${nodes} nodes (real pcs, crm_verify, crm_simulate)`, () => {
        let tmp: TempDir;
        let cib: string;
        let names: string[];
        let configure: string;
        before(async () => {
            const stack = await runStack("Pulumi.my-first-db.yaml", { overrides: { "dbaas:nodes": String(nodes) } });
            configure = stack.artifacts["pacemaker/configure.sh"];
            names = Array.from({ length: nodes }, (_, i) => `my-first-db-${i}`);
            tmp = new TempDir();
            tmp.write("configure.sh", configure, 0o755);
            tmp.write("reapply.sh", reapplyScript(), 0o755);
            cib = tmp.file("cib.xml");
            writeEmptyCib(cib, names);
            runOk("bash", [tmp.file("configure.sh"), cib]);
        });
        after(() => tmp.remove());

        it("applies with pcs -f and verifies clean", () => {
            const v = crmVerify(cib);
            assert.equal(v.status, 0, v.stderr);
        });

        it("starts the whole group on one node, each member after the previous one", () => {
            const up = tmp.file("up.xml");
            const graph = tmp.file("start-graph.xml");
            crmSimulate(cib, ["-q", "1", ...names.flatMap((n) => ["-u", n])], up, graph);
            const active = activeNodes(up);
            const members = [RESOURCE_IDS.volume, RESOURCE_IDS.format, RESOURCE_IDS.filesystem, RESOURCE_IDS.ip, RESOURCE_IDS.docker, RESOURCE_IDS.nomad];
            const where = new Set(members.map((m) => (active.get(m) ?? []).join(",")));
            assert.equal(where.size, 1, `members on different nodes: ${JSON.stringify([...active])}`);
            assert.equal([...where][0].split(",").length, 1);
            const g = parseGraph(readFileSync(graph, "utf8"));
            for (let i = 1; i < members.length; i++) {
                assert.ok(waitsFor(g, startOf(g, members[i]), startOf(g, members[i - 1])), `${members[i]} does not wait for ${members[i - 1]}`);
            }
        });

        it("fences the active node before the volume starts elsewhere, and moves the whole group to one survivor", () => {
            const up = tmp.file("up.xml");
            const active = activeNodes(up).get(RESOURCE_IDS.volume)![0];
            const after = tmp.file("after.xml");
            const graphFile = tmp.file("fail-graph.xml");
            crmSimulate(up, ["--node-fail", active], after, graphFile);
            const g = parseGraph(readFileSync(graphFile, "utf8"));
            const fencing = findActions(g, (a) => a.kind === "crm_event" && a.operation === "stonith");
            assert.equal(fencing.length, 1);
            assert.ok(waitsFor(g, startOf(g, RESOURCE_IDS.volume), fencing[0]), "the volume must wait for the fencing");
            const now = activeNodes(after);
            const holders = new Set([RESOURCE_IDS.volume, RESOURCE_IDS.filesystem, RESOURCE_IDS.nomad].map((m) => (now.get(m) ?? []).join(",")));
            assert.equal(holders.size, 1);
            const survivor = [...holders][0];
            assert.ok(survivor !== "" && survivor !== active && !survivor.includes(","), `group now on ${survivor}`);
        });

        it("re-applies harmlessly: the live wrapper's rebuild gives the same configuration twice", () => {
            const first = tmp.file("reapplied-1.xml");
            const second = tmp.file("reapplied-2.xml");
            for (const out of [first, second]) {
                runOk("cp", [cib, out]);
                runOk("bash", [tmp.file("reapply.sh"), out]);
            }
            const config = (f: string) => /<configuration>[\s\S]*<\/configuration>/.exec(readFileSync(f, "utf8"))![0];
            assert.equal(config(first), config(second));
            assert.equal(config(first), config(cib));
        });

        it("re-applying keeps what operators set: move/ban constraints (cli-*), disable (target-role), unmanage (is-managed)", () => {
            const op = tmp.file("operator.xml");
            runOk("cp", [cib, op]);
            const env = { ...process.env, CIB_file: op };
            runOk("crm_resource", ["--ban", "--resource", RESOURCE_IDS.group, "--node", names[1]], { env });
            runOk("crm_resource", ["--move", "--resource", RESOURCE_IDS.group, "--node", names[0]], { env });
            runOk("pcs", ["-f", op, "resource", "disable", RESOURCE_IDS.group]);
            runOk("pcs", ["-f", op, "resource", "unmanage", RESOURCE_IDS.docker]);
            const before = readFileSync(op, "utf8");
            runOk("bash", [tmp.file("reapply.sh"), op]);
            const after = readFileSync(op, "utf8");
            const ops = (xml: string) => [...xml.matchAll(/<rsc_location id="(cli-[^"]+)"[^>]*\/>/g)].map((m) => m[0]).sort();
            assert.equal(ops(before).length, 2);
            assert.deepEqual(ops(after), ops(before), "the operator's constraints are kept, unchanged");
            const meta = (xml: string, id: string, name: string) => new RegExp(`<nvpair id="${id}-meta_attributes-${name}" name="${name}" value="([^"]+)"`).exec(xml)?.[1];
            assert.equal(meta(after, RESOURCE_IDS.group, "target-role"), "Stopped");
            assert.equal(meta(after, RESOURCE_IDS.docker, "is-managed"), "false");
            // Ours are rebuilt as generated: the same configuration as a fresh apply, plus the operator's settings.
            const fresh = tmp.file("fresh-then-operator.xml");
            runOk("cp", [cib, fresh]);
            runOk("bash", [tmp.file("reapply.sh"), fresh]);
            const ours = (xml: string) => /<constraints>[\s\S]*<\/constraints>/.exec(xml)![0].split("\n").filter((l) => !l.includes('id="cli-')).join("\n");
            assert.equal(ours(after), ours(readFileSync(fresh, "utf8")));
            assert.equal(crmVerify(op).status, 0);
        });

        it("wraps it in a live apply script that shellcheck accepts", () => {
            const wrapper = tmp.write("apply.sh", applyScript(configure));
            const r = run("shellcheck", ["--shell=bash", wrapper]);
            assert.equal(r.status, 0, r.stdout);
            assert.match(applyScript(configure), /pcs cluster cib "\$work\/original.xml"[\s\S]*reapply[\s\S]*pcs cluster cib-push "\$work\/cib.xml" diff-against="\$work\/original.xml"/);
        });
    });
}
