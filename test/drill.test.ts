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

describe("failover drill on namespace clusters (root)", function () {
    this.timeout(9 * 60 * 1000);
    let result: DrillResult;
    const log: string[] = [];

    before(async function () {
        if (process.getuid?.() !== 0) this.skip();
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
