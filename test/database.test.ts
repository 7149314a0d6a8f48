import * as assert from "assert";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { run as exec } from "./support/exec";
import { runStack } from "../plan/run";
import { useStackRun } from "./support/fixtures";
import { RESOURCE_TYPES } from "../common/tokens";
import { REDACTED } from "../render/redacted";
import { OFFLINE_CONTROL_PLANE_OUTPUTS } from "../plan/placeholders";
import { everythingWritten, leakedSecrets, ofType, one, rootOf } from "./support/resources";

const { instance: INSTANCE, secGroupRule: RULE, remoteCommand: COMMAND, volume: VOLUME, floatingIp: FIP } = RESOURCE_TYPES;

describe("Database stack (mock runtime, Pulumi.my-first-db.yaml)", () => {
    const run = useStackRun("Pulumi.my-first-db.yaml");

    it("reads its control plane through a StackReference named by dbaas:controlPlane", () => {
        const ref = one(run(), "pulumi:pulumi:StackReference", "control-plane");
        assert.equal(ref.inputs["name"], "dev");
    });

    it("is one dbaas:index:Database component holding everything else", () => {
        const db = one(run(), "dbaas:index:Database", "my-first-db");
        for (const r of run().resources.filter((x) => x.type !== "pulumi:pulumi:StackReference")) {
            assert.equal(rootOf(run(), r), db, `${r.type} ${r.name} is not under the Database`);
        }
    });

    it("creates the data volume with the configured size, protected and retained on destroy", () => {
        const volume = one(run(), VOLUME, "my-first-db-data");
        assert.equal(volume.inputs["size"], 10);
        assert.equal(volume.protect, true);
        assert.equal(volume.retainOnDelete, true);
        assert.ok(volume.ignoreChanges.includes("attachments"));
    });

    it("lets the data go only when dbaas:deleteData is true", async () => {
        const loose = await runStack("Pulumi.my-first-db.yaml", { overrides: { "dbaas:deleteData": "true" } });
        const volume = one(loose, VOLUME, "my-first-db-data");
        assert.equal(volume.protect, false);
        assert.equal(volume.retainOnDelete, false);
    });

    it("creates the floating IP from the pool, with no association: Pacemaker moves it", () => {
        const fip = one(run(), FIP, "my-first-db-fip");
        assert.equal(fip.inputs["pool"], "public");
        assert.equal(fip.inputs["portId"], undefined);
        assert.deepEqual(fip.ignoreChanges.sort(), ["fixedIp", "portId"]);
        assert.equal(ofType(run(), "openstack:networking/floatingIpAssociate:FloatingIpAssociate").length, 0);
        assert.equal(ofType(run(), "openstack:compute/floatingIpAssociate:FloatingIpAssociate").length, 0);
    });

    it("runs 2 nodes in an anti-affinity group, each on its own port in the platform subnet", () => {
        const group = one(run(), "openstack:compute/serverGroup:ServerGroup", "my-first-db-nodes-group");
        assert.deepEqual(group.inputs["policies"], ["anti-affinity"]);
        const nodes = ofType(run(), INSTANCE);
        assert.deepEqual(nodes.map((n) => n.inputs["name"]).sort(), ["my-first-db-0", "my-first-db-1"]);
        for (const n of nodes) {
            assert.ok(n.dependsOn.includes(group.urn));
            assert.equal(n.inputs["flavorName"], "m1.medium");
        }
        for (const p of ofType(run(), "openstack:networking/port:Port")) {
            assert.equal(p.inputs["networkId"], OFFLINE_CONTROL_PLANE_OUTPUTS.networkId.value);
        }
    });

    it("runs 3 nodes when dbaas:nodes is 3", async () => {
        const three = await runStack("Pulumi.my-first-db.yaml", { overrides: { "dbaas:nodes": "3" } });
        assert.equal(ofType(three, INSTANCE).length, 3);
        assert.match(three.artifacts["pacemaker/configure.sh"], /my-first-db-2:/);
    });

    it("opens the engine port to dbaas:allowedCidrs only, cluster ports between members only, SSH from the bastion only", () => {
        const sg = one(run(), "openstack:networking/secGroup:SecGroup", "my-first-db-nodes-sg");
        const rules = ofType(run(), RULE);
        const engine = rules.filter((r) => r.inputs["portRangeMin"] === 5432);
        assert.deepEqual(engine.map((r) => r.inputs["remoteIpPrefix"]), ["10.42.0.0/24"]);
        const corosync = rules.find((r) => r.inputs["protocol"] === "udp" && r.inputs["portRangeMin"] === 5405)!;
        const pcsd = rules.find((r) => r.inputs["portRangeMin"] === 2224)!;
        for (const r of [corosync, pcsd]) {
            assert.equal(r.inputs["remoteIpPrefix"], undefined);
            assert.ok(r.dependsOn.includes(sg.urn));
            assert.equal(r.rawInputs["remoteGroupId"], r.rawInputs["securityGroupId"], "only members of the cluster's own group");
        }
        const ssh = rules.find((r) => r.inputs["portRangeMin"] === 22)!;
        assert.equal(ssh.inputs["remoteGroupId"], OFFLINE_CONTROL_PLANE_OUTPUTS.bastionSecurityGroupId.value);
        for (const r of rules) {
            const prefix = r.inputs["remoteIpPrefix"] as string | undefined;
            assert.ok(prefix || r.inputs["remoteGroupId"], `${r.name} is open to everyone`);
            if (prefix) assert.ok(!prefix.endsWith("/0"), `${r.name} is open to ${prefix}`);
        }
    });

    it("puts no secret in user data, and installs the cluster stack with docker and nomad disabled", () => {
        for (const n of ofType(run(), INSTANCE)) {
            const userData = String(n.rawInputs["userData"]);
            assert.deepEqual(leakedSecrets(run(), userData), []);
            assert.doesNotMatch(userData, /application_credential_secret|PRIVATE KEY|"encrypt"/);
            for (const pkg of ["pacemaker", "pcs", "corosync", "fence-agents", "resource-agents", "docker.io"]) assert.match(userData, new RegExp(`- ${pkg}\\n`));
            assert.match(userData, /systemctl\n\s+- disable\n\s+- --now\n\s+- docker.service\n\s+- docker.socket\n\s+- nomad.service/);
        }
    });

    it("creates a restricted application credential, written on the nodes over SSH as clouds.yaml", () => {
        const cred = one(run(), "openstack:identity/applicationCredential:ApplicationCredential", "my-first-db-agents");
        assert.equal(cred.inputs["unrestricted"], false);
        for (const i of [0, 1]) {
            const cmd = one(run(), COMMAND, `my-first-db-my-first-db-${i}-secrets-install`);
            assert.equal(cmd.inputs["stdin"], REDACTED);
            const payload = JSON.parse(String(cmd.rawInputs["stdin"])) as { files: { path: string; content: string }[] };
            const clouds = payload.files.find((f) => f.path === "/etc/openstack/clouds.yaml");
            assert.ok(clouds && /application_credential_secret: MOCKSECRET-appcred/.test(clouds.content));
            // hacluster's password is never a file: the installer feeds it to chpasswd.
            assert.ok(!payload.files.some((f) => /hacluster|chpasswd/.test(f.path)));
        }
        const artifact = JSON.parse(run().artifacts["ssh/my-first-db-0.json"]) as { files: { path: string; content: string }[] };
        assert.match(artifact.files.find((f) => f.path === "/etc/openstack/clouds.yaml")!.content, /application_credential_secret: "\[secret\]"/);
    });

    it("gives the cluster's agents a Consul policy of their own nodes, agents and services, through the control plane's Consul", () => {
        const policy = one(run(), "consul:index/aclPolicy:AclPolicy", "my-first-db-agents");
        const rules = JSON.parse(String(policy.inputs["rules"]));
        assert.deepEqual(Object.keys(rules.node).sort(), ["my-first-db-0", "my-first-db-1"]);
        // Nomad fingerprints Consul through the agent API and registers itself as nomad-client.
        assert.deepEqual(rules.agent, { "my-first-db-0": { policy: "read" }, "my-first-db-1": { policy: "read" } });
        assert.deepEqual(Object.keys(rules.service), ["my-first-db", "nomad-client"]);
        // dbaas status reads the last restore drill on a node, with that node's token: that key only, read only.
        assert.deepEqual(rules.key, { "dbaas/databases/my-first-db/restore-drill": { policy: "read" } });
        assert.equal(rules.key_prefix, undefined);
        const token = one(run(), "consul:index/aclToken:AclToken", "my-first-db-agents");
        assert.ok(token.dependsOn.includes(policy.urn));
        const provider = one(run(), "pulumi:providers:consul", "my-first-db-consul");
        assert.equal(provider.inputs["token"], REDACTED);
        assert.equal(provider.inputs["address"], "203.0.113.20:8501");
    });

    it("gives the nodes' takeover script a Nomad token that may only reschedule allocations, sent over SSH", () => {
        const policy = one(run(), "nomad:index/aclPolicy:AclPolicy", "my-first-db-takeover");
        assert.match(String(policy.inputs["rulesHcl"]), /capabilities = \["list-jobs", "read-job", "alloc-lifecycle"\]/);
        assert.doesNotMatch(String(policy.inputs["rulesHcl"]), /submit-job|variables|write/);
        const token = one(run(), "nomad:index/aclToken:AclToken", "my-first-db-takeover");
        assert.equal(token.inputs["type"], "client");
        assert.ok(token.dependsOn.includes(policy.urn));
        const files = JSON.parse(run().artifacts["ssh/my-first-db-0.json"]!) as { files: { path: string; content: string }[] };
        assert.deepEqual(files.files.find((f) => f.path === "/etc/nomad.d/takeover-token"), { path: "/etc/nomad.d/takeover-token", content: "[secret]\n", mode: "0600", owner: "root", group: "root", restart: [] });
    });

    it("orders the remote commands: cluster setup after every node's files, configuration after setup", () => {
        const setup = one(run(), COMMAND, "my-first-db-pacemaker-setup");
        const configure = one(run(), COMMAND, "my-first-db-pacemaker-configure");
        for (const i of [0, 1]) {
            assert.ok(setup.dependsOn.includes(one(run(), COMMAND, `my-first-db-my-first-db-${i}-secrets-install`).urn), `setup does not wait for node ${i}`);
            const drop = one(run(), "dbaas:index:RemoteFiles", `my-first-db-my-first-db-${i}-secrets`);
            assert.ok(drop.dependsOn.includes(one(run(), INSTANCE, `my-first-db-nodes-${i}`).urn));
        }
        assert.ok(configure.dependsOn.includes(setup.urn));
        assert.equal(setup.inputs["stdin"], REDACTED, "the hacluster password is a secret");
        assert.match(String(configure.inputs["create"]), /pcs cluster cib-push/);
        assert.ok(String(configure.inputs["create"]).includes("stonith-enabled=true"));
        assert.ok((configure.inputs["triggers"] as unknown[]).length === 1, "re-runs when the configuration changes");
    });

    it("writes the Pacemaker scripts as artifacts, and no secret in clear anywhere", () => {
        assert.match(run().artifacts["pacemaker/configure.sh"], /^#!\/usr\/bin\/env bash/);
        assert.match(run().artifacts["pacemaker/setup.sh"], /pcs cluster start --all/);
        assert.deepEqual(leakedSecrets(run(), everythingWritten(run())), []);
        assert.doesNotMatch(everythingWritten(run()), /MOCKSECRET/);
    });
});

describe("Database stack's remote commands pass shellcheck", () => {
    it("the per-node file install, the cluster setup and the configuration commands", async () => {
        const stack = await runStack("Pulumi.my-first-db.yaml");
        const dir = mkdtempSync(join(tmpdir(), "dbaas-cmd-"));
        try {
            const commands = ofType(stack, COMMAND);
            assert.equal(commands.length, 4, "2 node installs, setup, configure");
            for (const c of commands) {
                const file = join(dir, `${c.name}.sh`);
                writeFileSync(file, `#!/usr/bin/env bash\n${String(c.inputs["create"])}\n`);
                const r = exec("shellcheck", ["--shell=bash", file]);
                assert.equal(r.status, 0, `${c.name}:\n${r.stdout}`);
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
