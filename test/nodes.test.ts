// The real path of a database node (issue 10): 2 nodes + a bastion booted as systemd machines
// from the user data the program generates for Pulumi.my-first-db.yaml (and the control
// plane's bastion), cloud-init through NoCloud, then the plan's remote commands run through
// the bastion in their declared order, from a blank data volume. Root only (fails otherwise).
//
// It asserts what production needs; where the program is wrong today, it fails and says
// exactly where (command, output). The whole run is printed, and written as JSON to
// $NODES_REPORT when set. See lab/machines/README.md.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NodesLab } from "../lab/machines/nodesLab";
import { ScenarioData, renderPlans, runScenario } from "../lab/machines/scenario";

describe("real nodes: user data, cloud-init, remote commands through the bastion, blank volume (lab/machines)", function () {
    // Cold image build (~2-3 min) + boot + commands; no timing is asserted.
    this.timeout(30 * 60000);
    let data: ScenarioData;
    let out: string;
    const stop = () => void Promise.all([...NodesLab.active].map((l) => l.down())).finally(() => process.exit(130));

    before(async function () {
        assert.equal(process.getuid?.(), 0, "this test needs root (systemd-nspawn machines, namespaces, loop devices)");
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        out = fs.mkdtempSync(path.join(os.tmpdir(), "nodes-test-plan-"));
        const plans = await renderPlans("Pulumi.my-first-db.yaml", "Pulumi.dev.yaml", out);
        const report = await runScenario(plans, (m) => process.stderr.write(`      [nodes] ${m}\n`));
        data = report.data;
        process.stderr.write(`${report.text.replace(/^/gm, "      | ")}\n`);
        if (process.env["NODES_REPORT"]) fs.writeFileSync(process.env["NODES_REPORT"], `${JSON.stringify(data, null, 2)}\n`);
    });

    after(() => {
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
        if (out) fs.rmSync(out, { recursive: true, force: true });
    });

    it("the lab ran to its end and left nothing behind (no machine, namespace, mount, loop device, veth, lock)", () => {
        assert.equal(data.error, undefined, `the scenario stopped: ${data.error}`);
        assert.deepEqual(data.leftovers, []);
    });

    it("cloud-init finishes without error on the bastion and on every node", () => {
        const bad = Object.entries(data.cloudInit).filter(([, c]) => c.code !== 0).map(([m, c]) => `${m}: rc ${c.code}\n${c.status}\n${c.log}`);
        assert.deepEqual(bad, []);
    });

    it("the bastion is the only SSH entry: a node answers through it, not directly", () => {
        assert.match(data.ssh.nodeThroughBastion, /^ok: /);
        assert.match(data.ssh.nodeDirect, /^exit 255: .*(unreachable|No route)/);
    });

    it("the plan declares the file drops, setup and configure, in that order", () => {
        const names = data.steps.map((s) => s.name.replace(/^my-first-db-/, ""));
        assert.deepEqual(names, ["my-first-db-0-secrets-install", "my-first-db-1-secrets-install", "pacemaker-setup", "pacemaker-configure"]);
    });

    it("every declared remote command succeeds through the bastion", () => {
        const bad = data.steps.filter((s) => s.code !== 0).map((s) => `${s.name} on ${s.node}: ${s.skipped ?? `exit ${s.code}`}\n${s.stdout}${s.stderr}`);
        assert.deepEqual(bad, []);
    });

    it("the hacluster password file is gone once used", () => {
        const left = Object.entries(data.after).filter(([, o]) => /hacluster\.chpasswd/.test(o)).map(([n]) => n);
        assert.deepEqual(left, [], "/etc/dbaas/hacluster.chpasswd is still on these nodes");
    });

    it("the cluster runs under its own name on every node, the whole group started from the blank volume", () => {
        for (const [node, o] of Object.entries(data.after)) {
            assert.match(o, /cluster_name:\s*my-first-db\b/, `${node}: ${o}`);
            assert.match(o, /Started/, `${node}: ${o}`);
            assert.doesNotMatch(o, /Stopped|FAILED|Failed Resource Actions/, `${node}: ${o}`);
        }
        assert.match(data.volumeSignature, /TYPE="?xfs/, "the data volume never got a file system");
    });

    it("re-running every command changes nothing (files unchanged, no resource restarted)", () => {
        assert.ok(data.rerun, "not reached: the cluster never served");
        const bad = data.rerun.steps.filter((st) => st.code !== 0).map((st) => `${st.name}: exit ${st.code}\n${st.stdout}${st.stderr}`);
        assert.deepEqual(bad, []);
        for (const st of data.rerun.steps.filter((x) => x.name.endsWith("-secrets-install"))) assert.match(st.stdout, /files unchanged/, st.name);
        assert.equal(data.rerun.restartsCaused, 0, "resources started again after the re-run");
    });

    it("an operator's pcs resource move and ban survive re-applying the configuration", () => {
        assert.ok(data.move, "not reached: the cluster never served");
        assert.ok(data.move.movedOk, `pcs resource move did not move the group: ${data.move.operator}`);
        assert.match(data.move.constraintsBefore, /cli-ban-database-on-/, `the ban was not set: ${data.move.operator}`);
        assert.equal(data.move.reapply?.code, 0, `re-apply failed: ${data.move.reapply?.stderr}`);
        assert.match(data.move.constraintsAfter, /cli-ban-database-on-/, "re-applying the configuration removed the operator's ban");
        assert.equal(data.move.groupAfter, data.move.to);
    });

    it("losing the active node: fenced before the volume is mounted elsewhere, never mounted twice, the group moves, the node rejoins", () => {
        const c = data.crash;
        assert.ok(c, "not reached: the cluster never served");
        assert.ok(c.fencedS !== null && c.mountedElsewhereS !== null && c.fencedS <= c.mountedElsewhereS, JSON.stringify(c));
        assert.equal(c.maxMounted, 1, JSON.stringify(c));
        assert.ok(c.groupAfter !== null && c.groupAfter !== c.victim, JSON.stringify(c));
        assert.ok(c.rejoined, JSON.stringify(c));
    });
});
