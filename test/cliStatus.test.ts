/**
 * `dbaas status` and the crm_mon reader it shares with the lab (render/pacemaker/crmMon.ts):
 * - on crm_mon's own XML: one captured on the lab's 3 nodes after two fencings
 *   (test/support/fixtures/crm_mon-lab-3-nodes.xml), and one crm_mon writes for a CIB in which
 *   crm_simulate made the file system fail to start;
 * - the command end to end, with a stand-in `ssh` on PATH (the lab test runs it for real through
 *   the bastion): the route through the bastion, the key's handling, a node that does not answer.
 */
import * as assert from "assert";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { runStack } from "../plan/run";
import { parseCrmMon, RESOURCE_IDS } from "../render/pacemaker";
import { run } from "./support/exec";
import { useTempDir } from "./support/fixtures";
import { crmSimulate, runOk, writeEmptyCib } from "./support/pacemaker-tools";

const ROOT = join(__dirname, "..");
const LAB_XML = readFileSync(join(__dirname, "support", "fixtures", "crm_mon-lab-3-nodes.xml"), "utf8");

describe("crm_mon's XML, read", () => {
    const tmp = useTempDir("dbaas-crmmon-");

    it("the lab's 3 nodes: the group's node, its members in order, the fence device and the info clone, the fencing history", () => {
        const s = parseCrmMon(LAB_XML);
        assert.equal(s.dc, "my-first-db-1");
        assert.equal(s.quorate, true);
        assert.deepEqual(s.online, ["my-first-db-0", "my-first-db-1", "my-first-db-2"]);
        assert.equal(s.groupNode, "my-first-db-1");
        assert.deepEqual(s.members.map((m) => [m.id, m.role, m.nodes.join()]), ["data-volume", "data-format", "data-fs", "service-ip", "docker", "nomad"].map((id) => [id, "Started", "my-first-db-1"]));
        assert.deepEqual(s.others.map((o) => o.id), ["fence-nodes", "cloud-info", "cloud-info", "cloud-info"]);
        assert.deepEqual(s.fencing.map((f) => [f.action, f.target, f.delegate, f.status]), [["reboot", "my-first-db-1", "my-first-db-0", "success"], ["reboot", "my-first-db-0", "my-first-db-2", "success"]]);
        assert.deepEqual(s.failedActions, []);
    });

    it("a failed monitor (crm_simulate on the generated configuration): the failed action, with Pacemaker's reason", async () => {
        const stack = await runStack("Pulumi.my-first-db.yaml");
        const cib = join(tmp(), "cib.xml");
        writeEmptyCib(cib, ["my-first-db-0", "my-first-db-1"]);
        writeFileSync(join(tmp(), "configure.sh"), stack.artifacts["pacemaker/configure.sh"]!);
        runOk("bash", [join(tmp(), "configure.sh"), cib]);
        const up = join(tmp(), "up.xml");
        crmSimulate(cib, ["-q", "1", "-u", "my-first-db-0", "-u", "my-first-db-1"], up, join(tmp(), "g.xml"));
        const holder = parseCrmMon(runOk("crm_mon", ["-1", "--output-as=xml"], { env: { ...process.env, CIB_file: up } }).stdout).groupNode!;
        const out = join(tmp(), "failed.xml");
        crmSimulate(up, ["-i", `${RESOURCE_IDS.filesystem}_monitor_20000@${holder}=7`], out, join(tmp(), "g2.xml"));
        const s = parseCrmMon(runOk("crm_mon", ["-1", "--output-as=xml"], { env: { ...process.env, CIB_file: out } }).stdout);
        assert.deepEqual(s.failedActions.map((f) => [f.operation, f.node, f.reason]), [["data-fs_monitor_20000", holder, "not running: Simulated action result"]]);
        assert.match(s.failedActions[0].when, /^\d{4}-\d\d-\d\d /);
        assert.throws(() => parseCrmMon("<html/>"), /not crm_mon/);
    });
});

describe("dbaas status (ssh stood in for)", () => {
    const tmp = useTempDir("dbaas-status-");

    /** Writes the outputs files and a stand-in ssh: crm_mon answers with the lab's XML (or fails for the nodes of $DEAD), nomad with an allocation, consul with $DRILL (or no key). */
    function setup(): { env: string[]; log: string; args: string[] } {
        const dir = tmp();
        const outputs = { name: "my-first-db", controlPlane: "dev", jobs: { engine: "my-first-db-engine" }, nodeAddresses: { "my-first-db-0": "10.42.0.148", "my-first-db-1": "10.42.0.173", "my-first-db-2": "10.42.0.66" } };
        writeFileSync(join(dir, "db.json"), JSON.stringify(outputs));
        writeFileSync(join(dir, "cp.json"), JSON.stringify({ bastionAddress: "203.0.113.10", sshUser: "debian", sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nKEY-BODY\n-----END OPENSSH PRIVATE KEY-----" }));
        writeFileSync(join(dir, "crm_mon.xml"), LAB_XML);
        const log = join(dir, "ssh.log");
        writeFileSync(join(dir, "ssh"), [
            "#!/bin/bash",
            `printf '%s\\n' "$*" >> '${log}'`,
            'cfg=$2; key=$(sed -n "s/ *IdentityFile //p" "$cfg"); printf "key mode %s: %s\\n" "$(stat -c %a "$key")" "$(sed -n 2p "$key")" >> ' + `'${log}'`,
            'host=${@: -2:1}; for d in ${DEAD:-}; do if [[ "$host" == "debian@$d" ]]; then echo "Connection timed out during banner exchange" >&2; exit 255; fi; done',
            `case "\${@: -1}" in *crm_mon*) cat '${join(dir, "crm_mon.xml")}' ;; *"nomad job allocs"*) echo '[{"ID":"9f1c","NodeName":"my-first-db-1","ClientStatus":"running","DesiredStatus":"run"}]' ;;`,
            `  *"consul kv get"*) if [[ -n "\${DRILL:-}" ]]; then echo "$DRILL"; else echo "Error! No key exists at: dbaas/databases/my-first-db/restore-drill" >&2; exit 1; fi ;;`,
            "  *) exit 1 ;; esac",
        ].join("\n"), { mode: 0o755 });
        return { env: [`PATH=${dir}:${process.env["PATH"]}`], log, args: ["status", "--stack", "my-first-db", "--outputs", join(dir, "db.json"), "--control-plane-outputs", join(dir, "cp.json")] };
    }
    const dbaas = (env: string[], args: string[]) => run("env", [...env, "node", join(ROOT, "cli/dbaas.js"), ...args]);

    it("reads the cluster through the bastion from the first node, then the engine's allocation on the group's node", () => {
        const { env, log, args } = setup();
        const r = dbaas(env, args);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^cluster my-first-db: 3 nodes, quorum yes, coordinator my-first-db-1 \(read on my-first-db-0\)$/m);
        assert.match(r.stdout, /^group database runs on my-first-db-1:$/m);
        assert.match(r.stdout, /^ {2}data-format +Started +my-first-db-1 +ocf:dbaas:format-once$/m);
        assert.match(r.stdout, /^failed actions: none$/m);
        assert.match(r.stdout, /reboot of my-first-db-0 by my-first-db-2: success/);
        assert.match(r.stdout, /^engine \(Nomad job my-first-db-engine\): allocation 9f1c running \(desired run\) on my-first-db-1$/m);
        const calls = readFileSync(log, "utf8");
        assert.match(calls, /-J debian@203\.0\.113\.10 debian@10\.42\.0\.148 sudo crm_mon -1 --output-as=xml --fence-history=3/);
        assert.match(calls, /-J debian@203\.0\.113\.10 debian@10\.42\.0\.173 sudo sh -c 'NOMAD_ADDR=https:\/\/127\.0\.0\.1:4646 .*nomad job allocs -json my-first-db-engine'/);
        assert.match(calls, /key mode 600: KEY-BODY/);
        assert.doesNotMatch(calls.split("\n").filter((l) => !l.startsWith("key mode")).join("\n"), /KEY-BODY/, "the key is never an argument");
        assert.doesNotMatch(r.stdout + r.stderr, /KEY-BODY/);
        assert.match(r.stdout, /^restore drill: none recorded yet$/m);
        assert.match(calls, /debian@10\.42\.0\.148 sudo sh -c .*CONSUL_HTTP_TOKEN="\$\(jq -r \.acl\.tokens\.default \/etc\/consul\.d\/secrets\.json\)" consul kv get .*dbaas\/databases\/my-first-db\/restore-drill/);
        const json = JSON.parse(dbaas(env, [...args, "--json"]).stdout) as { cluster: { groupNode: string }; restoreDrill: unknown };
        assert.equal(json.cluster.groupNode, "my-first-db-1");
        assert.deepEqual(json.restoreDrill, { record: null });
    });

    it("shows the last restore drill from the database's Consul entry: passed, or failed with its message", () => {
        const { env, args } = setup();
        const passed = { result: "passed", backup: "2026-11-28T02:00:01Z", started: "2026-11-28T04:00:00Z", finished: "2026-11-28T04:01:10Z", tables: 4, rows: 2000000, message: "" };
        const ok = dbaas([...env, `DRILL=${JSON.stringify(passed)}`], args);
        assert.equal(ok.status, 0, ok.stderr);
        assert.match(ok.stdout, /^restore drill: passed at 2026-11-28T04:01:10Z \(backup 2026-11-28T02:00:01Z, 4 tables, 2000000 rows\)$/m);
        const failed = { ...passed, result: "failed", rows: undefined, message: "pgbench_accounts: 1999000 rows, the manifest says 2000000" };
        const bad = dbaas([...env, `DRILL=${JSON.stringify(failed)}`], args);
        assert.equal(bad.status, 0, bad.stderr);
        assert.match(bad.stdout, /^restore drill: FAILED at 2026-11-28T04:01:10Z \(backup 2026-11-28T02:00:01Z, 4 tables\): pgbench_accounts: 1999000 rows, the manifest says 2000000$/m);
        const garbled = dbaas([...env, "DRILL=not json"], args);
        assert.match(garbled.stdout, /^restore drill: unreadable record at dbaas\/databases\/my-first-db\/restore-drill: /m);
    });

    it("goes on to the next node when one does not answer, and says so; fails in one line when none does", () => {
        const { env, args } = setup();
        const one = dbaas([...env, "DEAD=10.42.0.148"], args);
        assert.equal(one.status, 0, one.stderr);
        assert.match(one.stdout, /\(read on my-first-db-1\)/);
        assert.match(one.stdout, /my-first-db-0 did not answer over SSH: Connection timed out during banner exchange/);
        const none = dbaas([...env, "DEAD=10.42.0.148 10.42.0.173 10.42.0.66"], args);
        assert.equal(none.status, 1);
        assert.match(none.stderr, /^dbaas: no node of the cluster answered through the bastion: my-first-db-0: Connection timed out/);
    });

    it("names the missing output: a stack deployed before nodeAddresses existed", () => {
        const { env, args } = setup();
        const file = args[args.indexOf("--outputs") + 1]!;
        writeFileSync(file, JSON.stringify({ name: "my-first-db", controlPlane: "dev", jobs: { engine: "e" } }));
        const r = dbaas(env, args);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /stack my-first-db has no output nodeAddresses/);
    });
});
