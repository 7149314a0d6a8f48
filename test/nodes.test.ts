// The lab (lab/, issue 10): a bastion and 2 database nodes booted as systemd machines from the
// user data the program generates for Pulumi.my-first-db.yaml (and the control plane's bastion),
// cloud-init through NoCloud, the plan's remote commands run through the bastion in their
// declared order, from a blank data volume; then, with a client querying the database all along:
// every command again, an operator's move/ban/unmanage and a re-apply, the failover drill at 2
// nodes (a passive and an active node killed), a node replaced, 2 → 3 nodes, the drill at 3
// nodes, `dbaas status` through the bastion, 3 → 2 nodes. Root only (fails otherwise).
//
// It asserts what production needs and the drill's correctness conditions, never a timing. The
// whole run is printed, and written as JSON to $NODES_REPORT when set; LAB_LOAD=1 loads every core
// during the run. See lab/README.md.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NodesLab } from "../lab/nodesLab";
import { summary } from "../lab/report";
import { ScenarioData, renderPlans, runScenario } from "../lab/scenario";
import { KillResult } from "../lab/drill";

describe("the lab: real nodes from the plan, the remote commands through the bastion, a blank volume, changes and the failover drill", function () {
    // A cold image build (a few minutes, mirror-bound) + the scenario; no timing is asserted.
    this.timeout(40 * 60000);
    let data: ScenarioData;
    let out: string;
    const stop = () => void Promise.all([...NodesLab.active].map((l) => l.down())).finally(() => process.exit(130));

    before(async function () {
        assert.equal(process.getuid?.(), 0, "this test needs root (systemd-nspawn machines, namespaces, loop devices)");
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        out = fs.mkdtempSync(path.join(os.tmpdir(), "nodes-test-plan-"));
        const plans = await renderPlans("Pulumi.my-first-db.yaml", "Pulumi.dev.yaml", out);
        // LAB_LOAD=1: busy loops on every core all along (the flake hunt: 5 runs in a row, README).
        const load = process.env["LAB_LOAD"] === "1";
        data = (await runScenario(plans, (m) => process.stderr.write(`      [lab] ${m}\n`), { load })).data;
        process.stderr.write(`${summary(data).replace(/^/gm, "      | ")}\n`);
        if (process.env["NODES_REPORT"]) fs.writeFileSync(process.env["NODES_REPORT"], `${JSON.stringify(data, null, 2)}\n`);
    });

    after(() => {
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
        if (out) fs.rmSync(out, { recursive: true, force: true });
    });

    const reached = <T>(v: T | undefined, what: string): T => {
        assert.ok(v, `not reached (${what}): ${data.error ?? "the cluster never served"}`);
        return v;
    };
    const explain = (k: KillResult) => JSON.stringify(k);

    it("ran to its end and left nothing behind (no machine, namespace, mount, loop device, veth, lock)", () => {
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

    it("every declared remote command succeeds through the bastion, in the declared order", () => {
        assert.deepEqual(data.steps.map((s) => s.name.replace(/^my-first-db-/, "")), ["my-first-db-0-secrets-install", "my-first-db-1-secrets-install", "pacemaker-setup", "pacemaker-configure"]);
        const bad = data.steps.filter((s) => s.code !== 0).map((s) => `${s.name} on ${s.node}: ${s.skipped ?? `exit ${s.code}`}\n${s.stdout}${s.stderr}`);
        assert.deepEqual(bad, []);
    });

    it("from a blank volume: the group serves (the volume got its file system), under the cluster's own name, no password file left", () => {
        reached(data.boot, "serving");
        assert.match(data.volumeSignature, /TYPE="?xfs/, "the data volume never got a file system");
        for (const [node, o] of Object.entries(data.after)) {
            assert.match(o, /cluster_name:\s*my-first-db\b/, `${node}: ${o}`);
            assert.doesNotMatch(o, /hacluster\.chpasswd/, `${node} still has the password file`);
            assert.doesNotMatch(o, /FAILED|Failed Resource Actions/, `${node}: ${o}`);
        }
    });

    it("unattended-upgrades is on, and never upgrades the cluster stack", () => {
        for (const [node, o] of Object.entries(data.after)) {
            assert.match(o, /Unattended-Upgrade::Package-Blacklist:: "\^corosync";/, node);
            assert.match(o, /Unattended-Upgrade::Package-Blacklist:: "\^pacemaker";/, node);
        }
    });

    it("re-running every command changes nothing: files unchanged, no group member stopped or started", () => {
        const r = reached(data.rerun, "re-run");
        assert.deepEqual(r.steps.filter((st) => st.code !== 0).map((st) => `${st.name}: exit ${st.code}\n${st.stdout}${st.stderr}`), []);
        for (const st of r.steps.filter((x) => x.name.endsWith("-secrets-install"))) assert.match(st.stdout, /files unchanged/, st.name);
        assert.equal(r.groupOperations, 0);
    });

    it("an operator's pcs resource move, ban and unmanage survive re-applying the configuration", () => {
        const o = reached(data.operator, "operator");
        assert.ok(o.movedOk, `pcs resource move did not move the group: ${o.operator}`);
        assert.match(o.constraintsBefore, /cli-ban-database-on-/, `the ban was not set: ${o.operator}`);
        assert.equal(o.reapply.code, 0, `re-apply failed: ${o.reapply.stderr}`);
        assert.match(o.constraintsAfter, /cli-ban-database-on-/, "re-applying the configuration removed the operator's ban");
        assert.equal(o.unmanagedBefore, "false");
        assert.equal(o.unmanagedAfter, "false", "re-applying the configuration managed the info clone again");
        assert.equal(o.groupAfter, o.to);
        assert.equal(o.groupOperations, 0, "the re-apply stopped or started group members");
    });

    it("the drill: every killed node is fenced, the volume is never mounted on two nodes, the killed node rejoins", () => {
        assert.deepEqual(data.kills.map((k) => `${k.size}:${k.kind}`), ["2:passive", "2:active", "3:active"]);
        for (const k of data.kills) {
            assert.ok(k.fencedS !== null, explain(k));
            assert.ok(k.samples > 50, `too few mount samples: ${explain(k)}`);
            assert.ok(k.maxMounted <= 1, explain(k));
            assert.ok(k.rejoinedS !== null, explain(k));
        }
    });

    it("the drill: the group's node is fenced before the volume is mounted elsewhere, and the service answers again from another node", () => {
        for (const k of data.kills.filter((x) => x.kind === "active")) {
            assert.ok(k.fencedS !== null && k.mountedElsewhereS !== null && k.fencedS <= k.mountedElsewhereS, explain(k));
            assert.ok(k.answeringS !== null, explain(k));
            assert.ok(k.groupAfter !== null && k.groupAfter !== k.victim, explain(k));
            assert.deepEqual(k.problems, []);
        }
    });

    it("the drill: a passive node's loss moves nothing, stops nothing, and the service never fails", () => {
        for (const k of data.kills.filter((x) => x.kind === "passive")) {
            assert.equal(k.groupAfter, k.groupBefore, explain(k));
            assert.equal(k.groupOperations, 0, explain(k));
            assert.equal(k.probeFailures, 0, explain(k));
            assert.deepEqual(k.problems, []);
        }
    });

    it("a replaced server (new id, blank disk, same port) gets its files again and joins; the service never stops", () => {
        const r = reached(data.replace, "replace");
        assert.notEqual(r.newId, r.oldId);
        assert.deepEqual(r.problems, []);
        assert.deepEqual(r.steps.map((s) => s.name.replace(/^my-first-db-/, "").replace(/^my-first-db-\d-/, "")), ["secrets-install", "pacemaker-setup", "pacemaker-configure"]);
    });

    it("2 → 3 nodes: the new node joins, quorum holds, the group does not move, the service never stops; 3 → 2 likewise", () => {
        const grow = reached(data.grow, "grow");
        assert.deepEqual(grow.problems, []);
        assert.deepEqual(grow.online.sort(), ["my-first-db-0", "my-first-db-1", "my-first-db-2"]);
        const shrink = reached(data.shrink, "shrink");
        assert.deepEqual(shrink.problems, []);
        assert.deepEqual(shrink.online.sort(), ["my-first-db-0", "my-first-db-1"]);
        assert.equal(data.probeFailuresOutsideKills, 0, "the client failed outside a kill of the group's node or the planned move");
    });

    it("dbaas status, through the bastion: the group's node, each member, the fencing history, the engine's allocation, the last restore drill", () => {
        const s = reached(data.status, "status");
        assert.equal(s.code, 0, s.stderr);
        const json = s.json as { cluster: { groupNode: string; members: { id: string; role: string }[]; fencing: { target: string; status: string }[]; nodes: unknown[] }; engine: { allocations?: { ClientStatus: string; NodeName: string }[] } };
        assert.equal(json.cluster.nodes.length, 3);
        assert.deepEqual(json.cluster.members.map((m) => [m.id, m.role]), ["data-volume", "data-format", "data-fs", "service-ip", "docker", "nomad"].map((id) => [id, "Started"]));
        assert.ok(json.cluster.fencing.some((f) => f.status === "success"), "the kills' fencing is in the history");
        assert.deepEqual(json.engine.allocations?.map((a) => [a.ClientStatus, a.NodeName]), [["running", json.cluster.groupNode]]);
        assert.match(s.text, new RegExp(`group database runs on ${json.cluster.groupNode}:`));
        // Read with the node's own Consul token from the database's entry (the consul stand-in checks the token).
        assert.match(s.text, new RegExp(`^restore drill: passed at ${String(s.drill["finished"])} \\(backup ${String(s.drill["backup"])}, 4 tables, 100000 rows\\)$`, "m"));
    });
});
