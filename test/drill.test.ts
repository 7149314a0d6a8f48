/**
 * The failover drill, reduced: a real 2-node cluster (the group's node killed, then a passive
 * node killed) and a real 3-node cluster (the group's node killed), built from the generated
 * configuration (render/pacemaker.ts, lab profile) on namespace nodes (lab/).
 * Asserts correctness only — never timings: the dead node is fenced before the file system
 * is mounted elsewhere, the file system is never mounted on two nodes at once, the service
 * answers again, a passive node's loss moves nothing, and nothing of the labs remains.
 * Needs root and the Debian packages listed in lab/README.md (CI installs them).
 */
import { strict as assert } from "node:assert";
import { DrillResult, KillResult, runDrill } from "../lab/run";
import { outage, pacemakerEvents, pacemakerTime, parseFenceLog, parseProbes, resultRe, stats } from "../lab/events";
import { parseCrmMon } from "../lab/lab";

describe("failover drill read-back (pure)", () => {
    const log = [
        "Nov 25 13:18:36.950 node2 pacemaker-controld  [42] (update_peer_state_iter) \tnotice: Node node1 state is now lost | nodeid=1",
        "Nov 25 13:18:53.930 node2 pacemaker-controld  [42] (log_executor_event) \tnotice: Result of start operation for data-fs on node2: ok | rc=0",
    ].join("\n");

    it("reads Pacemaker's millisecond timestamps and finds events after a time", () => {
        const t = pacemakerTime(log, 2026)!;
        assert.equal(new Date(t).getMilliseconds(), 950);
        const ev = pacemakerEvents(log, resultRe("start", "data-fs"), t);
        assert.equal(ev.length, 1);
        assert.equal(ev[0].t - t, 16980);
        assert.equal(pacemakerEvents(log, resultRe("start", "data-fs"), ev[0].t + 1).length, 0);
    });

    it("finds the outage and the first answer after it in the prober's log", () => {
        const p = parseProbes("100 110 ok\n200 700 fail\n300 800 fail\n400 420 ok\n500 510 ok\n");
        const o = outage(p, 150);
        assert.equal(o.firstFail?.start, 200);
        assert.equal(o.back?.end, 420);
        assert.equal(o.failures, 2);
        assert.equal(outage(p, 450).firstFail, null);
    });

    it("parses fence_lab's log, crm_mon's XML and computes min/median/max", () => {
        assert.deepEqual(parseFenceLog("1700000000000 node2 node1 reboot requested\n1700000000100 node2 node1 reboot done 0\n")[1], {
            t: 1700000000100, from: "node2", target: "node1", action: "reboot", event: "done", rc: 0,
        });
        const xml = `<crm_mon><summary><current_dc present="true" name="node2" with_quorum="true"/></summary><nodes>
<node name="node1" online="false"/><node name="node2" online="true"/></nodes><resources>
<group id="database" number_resources="2"><resource id="data-volume" role="Started" active="true" failed="false"><node name="node2" id="2"/></resource>
<resource id="data-fs" role="Started" active="true" failed="false"><node name="node2" id="2"/></resource></group></resources></crm_mon>`;
        const s = parseCrmMon(xml);
        assert.equal(s.dc, "node2");
        assert.deepEqual(s.online, ["node2"]);
        assert.equal(s.groupNode, "node2");
        assert.deepEqual(stats([3, 1, 2, 10]), { n: 4, min: 1, median: 2.5, max: 10 });
    });
});

describe("failover drill on namespace clusters (root)", function () {
    this.timeout(9 * 60 * 1000);
    let result: DrillResult;
    const log: string[] = [];

    before(async function () {
        // Tests never skip: a run that is not root fails here, with the reason.
        assert.equal(process.getuid?.(), 0, "the failover drill needs root (namespaces, loop devices, corosync)");
        result = await runDrill({ sizes: [2, 3], mode: "quick", log: (m) => log.push(`${new Date().toISOString()} ${m}`) });
    });

    const kills = (size: number, kind: KillResult["kind"]) => result.kills.filter((k) => k.size === size && k.kind === kind);
    const explain = (k: KillResult) => `${k.size} nodes, kill ${k.target} (${k.kind}): ${k.problems.join("; ")}\n${log.join("\n")}`;

    it("ran every planned kill (2 nodes: active + passive; 3 nodes: active)", () => {
        const failed = result.kills.filter((k) => k.checks.labRan === false);
        assert.deepEqual(failed.map((k) => k.problems), []);
        assert.equal(kills(2, "active").length, 1);
        assert.equal(kills(2, "passive").length, 1);
        assert.equal(kills(3, "active").length, 1);
    });

    it("fences every killed node", () => {
        for (const k of result.kills) assert.ok(k.checks.fenced, explain(k));
    });

    it("never mounts the file system on two nodes at once", () => {
        for (const k of result.kills) {
            assert.ok(k.samples > 50, `too few mount samples: ${k.samples}`);
            assert.ok(k.checks.neverTwoMounts, explain(k));
            assert.ok(k.maxMountedAtOnce <= 1, explain(k));
        }
    });

    it("powers the dead node off before the file system is mounted elsewhere", () => {
        for (const size of [2, 3]) {
            for (const k of kills(size, "active")) {
                assert.ok(k.checks.fenceBeforeMountElsewhere, explain(k));
                assert.ok(k.fenceDoneMs !== null && k.mountedElsewhereMs !== null && k.fenceDoneMs < k.mountedElsewhereMs, explain(k));
            }
        }
    });

    it("answers again from another node after losing the group's node", () => {
        for (const k of [...kills(2, "active"), ...kills(3, "active")]) {
            assert.ok(k.checks.serviceAnswersAgain, explain(k));
            assert.ok(k.checks.groupMoved, explain(k));
            assert.notEqual(k.groupAfter, k.target);
        }
    });

    it("moves and restarts nothing when a passive node dies", () => {
        for (const k of kills(2, "passive")) {
            assert.ok(k.checks.passiveMovedNothing, explain(k));
            assert.equal(k.groupAfter, k.groupBefore);
            assert.deepEqual(k.started, {});
        }
    });

    it("leaves nothing of the labs behind (namespaces, processes, loop device, mounts, fence agent)", () => {
        assert.deepEqual(result.leftovers, []);
    });
});
