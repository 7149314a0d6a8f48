/**
 * What a database node runs besides the cluster stack (render/databaseNode.ts): the takeover
 * script, run for real against a stand-in `nomad` CLI, and checked by shellcheck.
 */
import * as assert from "assert";
import { chmodSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { dockerDaemonConfig, nomadTakeoverScript } from "../render/databaseNode";
import { requireTool, run } from "./support/exec";
import { useTempDir } from "./support/fixtures";

/** A stand-in for the Nomad CLI: this node is node-b; orders-engine has allocations on node-a (running, and an old one complete) and node-b. */
const FAKE_NOMAD = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_LOG"
case "$1 $2" in
  "node status") [[ -n "\${FAKE_UNREGISTERED:-}" ]] && exit 1; echo '{"ID": "node-b"}' ;;
  "job allocs") echo '[{"ID": "a-run", "NodeID": "node-a", "ClientStatus": "running", "DesiredStatus": "run"},
                       {"ID": "a-old", "NodeID": "node-a", "ClientStatus": "complete", "DesiredStatus": "stop"},
                       {"ID": "b-run", "NodeID": "node-b", "ClientStatus": "pending", "DesiredStatus": "run"}]' ;;
  "alloc stop") ;;
  *) exit 2 ;;
esac
`;

describe("database node: the Nomad takeover script", () => {
    const tmp = useTempDir("dbaas-takeover-");
    const script = nomadTakeoverScript({ jobIds: ["orders-engine"], waitSeconds: 2 });

    function runScript(env: Record<string, string>) {
        const dir = tmp();
        writeFileSync(join(dir, "nomad"), FAKE_NOMAD);
        chmodSync(join(dir, "nomad"), 0o755);
        writeFileSync(join(dir, "takeover.sh"), script);
        writeFileSync(join(dir, "log"), "");
        const r = run("env", [`PATH=${dir}:${process.env["PATH"]}`, `FAKE_LOG=${join(dir, "log")}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), "bash", join(dir, "takeover.sh")]);
        return { ...r, calls: readFileSync(join(dir, "log"), "utf8") };
    }

    it("passes shellcheck", () => {
        requireTool("shellcheck", "shellcheck");
        const dir = tmp();
        writeFileSync(join(dir, "check.sh"), script);
        const r = run("shellcheck", ["-s", "bash", join(dir, "check.sh")]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it("stops the engine's allocations still running on another (fenced) node, and nothing else", () => {
        requireTool("jq", "jq");
        writeFileSync(join(tmp(), "token"), "t0ken\n");
        const r = runScript({ TAKEOVER_TOKEN_FILE: join(tmp(), "token") });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /stopping allocation a-run of orders-engine/);
        assert.deepEqual(r.calls.split("\n").filter((l) => l.startsWith("alloc stop")), ["alloc stop -detach a-run"]);
    });

    it("does nothing without a token, and gives up (exit 0) when the client never registers", () => {
        const none = runScript({ TAKEOVER_TOKEN_FILE: join(tmp(), "absent") });
        assert.equal(none.status, 0);
        assert.match(none.stdout, /no token yet/);
        assert.equal(none.calls, "");
        writeFileSync(join(tmp(), "token"), "t0ken\n");
        const unregistered = runScript({ TAKEOVER_TOKEN_FILE: join(tmp(), "token"), FAKE_UNREGISTERED: "1" });
        assert.equal(unregistered.status, 0);
        assert.match(unregistered.stderr, /did not register/);
        assert.ok(!unregistered.calls.includes("alloc stop"));
    });

    it("docker keeps its data on the volume and gives containers the engine's clean-shutdown time", () => {
        assert.deepEqual(dockerDaemonConfig("/srv/orders", 240), { "data-root": "/srv/orders/docker", "shutdown-timeout": 240, "live-restore": false });
    });
});
