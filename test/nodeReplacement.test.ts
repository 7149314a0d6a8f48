/**
 * What a `pulumi up` does to a database cluster's nodes, as the program declares it (mock
 * runtime, Pulumi.my-first-db.yaml): a replaced server is deleted first (its port is reused),
 * gets its files again and makes setup run again (it joins); every node receives the same
 * corosync.conf and the stack's authkeys; hacluster's password is fed to chpasswd, never a file;
 * plan.json shows where each remote command runs, never its key.
 */
import * as assert from "assert";
import { runStack, StackRun } from "../plan/run";
import { planOf } from "../plan/write";
import { corosyncConf } from "../render/pacemaker";
import { REDACTED } from "../render/redacted";
import { RESOURCE_TYPES } from "../common/tokens";
import { useStackRun } from "./support/fixtures";
import { leakedSecrets, ofType, one } from "./support/resources";

const { instance: INSTANCE, remoteCommand: COMMAND } = RESOURCE_TYPES;

/** A node's file drop as the offline plan shows it (artifacts/ssh/<node>.json). */
function dropOf(run: StackRun, node: string): { files: { path: string; content: string; mode: string; owner: string; encoding?: string }[]; feeds: { command: string; input: string }[]; absent: string[] } {
    return JSON.parse(run.artifacts[`ssh/${node}.json`]!);
}

describe("database nodes: replacement, membership and the files each node receives (mock runtime)", () => {
    const run = useStackRun("Pulumi.my-first-db.yaml");
    const nodes = ["my-first-db-0", "my-first-db-1"];

    it("a server is deleted before its replacement is created (Nova refuses a new server on a port still bound)", () => {
        const servers = ofType(run(), INSTANCE);
        assert.equal(servers.length, 2);
        for (const s of servers) assert.equal(s.deleteBeforeReplace, true, s.name);
        const plan = planOf(run()) as { resources: { type: string; deleteBeforeReplace?: boolean }[] };
        assert.ok(plan.resources.filter((r) => r.type === INSTANCE).every((r) => r.deleteBeforeReplace === true), "plan.json shows it");
    });

    it("a replaced server's file drop runs again (its id is a trigger), and so does setup (every server's id): it gets its files and joins", () => {
        const servers = Object.fromEntries(ofType(run(), INSTANCE).map((s) => [String(s.inputs["name"]), s]));
        for (const n of nodes) {
            const drop = one(run(), COMMAND, `my-first-db-${n}-secrets-install`);
            const serverId = /^[0-9a-f-]{36}$/.exec(String((drop.inputs["triggers"] as unknown[])[1]))?.[0];
            assert.ok(serverId, `${n}'s file drop has its server's id among its triggers`);
            assert.ok(drop.dependsOn.includes(servers[n].urn));
        }
        const setup = one(run(), COMMAND, "my-first-db-pacemaker-setup");
        const ids = String((setup.inputs["triggers"] as unknown[])[1]).split(" ");
        assert.equal(ids.length, 2);
        const configure = one(run(), COMMAND, "my-first-db-pacemaker-configure");
        for (const id of ids) assert.match(String(configure.inputs["create"]), new RegExp(`my-first-db-\\d:${id}`), "the fence map names the same servers");
    });

    it("every node receives the same corosync.conf (names and addresses only) and the stack's authkeys; nothing restarts for them", () => {
        const confs = nodes.map((n) => dropOf(run(), n).files.find((f) => f.path === "/etc/corosync/corosync.conf")!);
        assert.equal(confs[0].content, confs[1].content);
        const addresses = nodes.map((n) => /advertise_addr\\?": ?\\?"([\d.]+)/.exec(run().artifacts[`cloud-init/${n}.yaml`]!)?.[1]);
        assert.equal(confs[0].content, corosyncConf({ clusterName: "my-first-db", nodes: nodes.map((name, i) => ({ name, address: addresses[i]! })) }));
        for (const n of nodes) {
            const files = dropOf(run(), n).files;
            const keys = files.filter((f) => f.path.endsWith("/authkey"));
            assert.deepEqual(keys.map((k) => [k.path, k.content, k.mode, k.owner, k.encoding]), [
                ["/etc/corosync/authkey", REDACTED, "0400", "root", "base64"],
                ["/etc/pacemaker/authkey", REDACTED, "0400", "hacluster", "base64"],
            ]);
            for (const f of files.filter((x) => x.path.startsWith("/etc/corosync") || x.path.startsWith("/etc/pacemaker"))) assert.deepEqual((f as { restart?: string[] }).restart ?? [], [], f.path);
        }
    });

    it("hacluster's password is fed to chpasswd (never written to a file), and an earlier version's password file is removed", () => {
        for (const n of nodes) {
            const drop = dropOf(run(), n);
            assert.deepEqual(drop.feeds, [{ command: "/usr/sbin/chpasswd", input: `hacluster:${REDACTED}\n` }]);
            assert.deepEqual(drop.absent, ["/etc/dbaas/hacluster.chpasswd"]);
            assert.ok(!drop.files.some((f) => /hacluster|chpasswd/.test(f.path) || f.content.startsWith("hacluster:")), `${n}: a password file`);
            const cmd = one(run(), COMMAND, `my-first-db-${n}-secrets-install`);
            assert.doesNotMatch(String(cmd.inputs["create"]), /chpasswd/);
        }
    });

    it("plan.json shows where each remote command runs (host, user, the bastion), never its key", () => {
        for (const cmd of ofType(run(), COMMAND)) {
            const c = cmd.inputs["connection"] as Record<string, unknown> & { proxy: Record<string, unknown> };
            assert.match(String(c["host"]), /^10\.42\.0\.\d+$/, cmd.name);
            assert.equal(c["user"], "debian");
            assert.equal(c["privateKey"], REDACTED);
            assert.equal(c.proxy["host"], "203.0.113.10");
            assert.equal(c.proxy["privateKey"], REDACTED);
        }
        assert.deepEqual(leakedSecrets(run(), JSON.stringify(planOf(run()))), []);
    });

    it("3 nodes: corosync.conf lists 3 nodes (no two_node), every node's drop carries it", async () => {
        const three = await runStack("Pulumi.my-first-db.yaml", { overrides: { "dbaas:nodes": "3" } });
        const confs = [0, 1, 2].map((i) => dropOf(three, `my-first-db-${i}`).files.find((f) => f.path === "/etc/corosync/corosync.conf")!.content);
        assert.equal(new Set(confs).size, 1);
        assert.equal((confs[0].match(/nodeid: /g) ?? []).length, 3);
        assert.doesNotMatch(confs[0], /two_node/);
        assert.match(dropOf(run(), "my-first-db-0").files.find((f) => f.path === "/etc/corosync/corosync.conf")!.content, /two_node: 1/);
    });
});
