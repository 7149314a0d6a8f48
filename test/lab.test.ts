// The lab's pure functions (lab/), on the offline plans of the example database stack (2 nodes,
// and grown to 3): the one user-data change, where the remote commands run (connection.host),
// their order and inputs, which ones a replaced server or a grown cluster runs again, the secret
// substitution, the SSH command line, the image cache key, the drill's read-back. No root needed.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { advertisedAddress, hashicorpPins, labUserData, noCloudMetaData, noCloudNetworkConfig, userDataPackages } from "../lab/userData";
import { changedSteps, mockServerIds, realize, urnRef, volumeIdOf } from "../lab/plan";
import { LabPlan, renderPlan } from "../lab/labPlan";
import { LabSecrets, PayloadFile, substituteDrop, substituteSecrets } from "../lab/secrets";
import { outage, pacemakerEvents, pacemakerTime, parseProbes, resultRe, stats } from "../lab/events";
import { isDialError, sshArgv, sshConfig } from "../lab/ssh";
import { imageKeys } from "../lab/images";
import { volumeDevicePaths } from "../lab/controller";

const KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZlab\n-----END PGP PUBLIC KEY BLOCK-----\n";

const SECRETS: LabSecrets = {
    hacluster: "HAPASS", appCredentialSecret: "APPSECRET", gossipKey: "R09TU0lQ", consulToken: "TOKEN-UUID", nomadTakeoverToken: "NOMAD-UUID", caPem: "LAB-CA\n",
    tls: Object.fromEntries([0, 1, 2].map((i) => [`my-first-db-${i}`, { certPem: `LAB-CERT-${i}\n`, keyPem: `LAB-KEY-${i}\n` }])),
    authkeys: { corosync: Buffer.alloc(256, 1).toString("base64"), pacemaker: Buffer.alloc(256, 2).toString("base64") },
};

describe("lab: the offline plan as the lab reads it", function () {
    this.timeout(180000);
    let dir: string;
    let plan: LabPlan;
    let grown: LabPlan;
    let userData: string;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-plan-"));
        plan = new LabPlan(await renderPlan("Pulumi.my-first-db.yaml", path.join(dir, "database")));
        grown = new LabPlan(await renderPlan("Pulumi.my-first-db.yaml", path.join(dir, "grown"), 3));
        userData = plan.userData["my-first-db-0"];
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("labUserData changes only the HashiCorp apt source (keyid → the lab key, file: URL), pins kept", () => {
        const out = labUserData(userData, KEY);
        assert.ok(out.startsWith("#cloud-config\n"));
        const before = parse(userData) as Record<string, unknown> & { apt: { sources: Record<string, unknown> } };
        const after = parse(out) as typeof before;
        assert.deepEqual(after.apt.sources["hashicorp"], { source: "deb [signed-by=$KEY_FILE] file:/srv/cloud-dbaas-lab/apt $RELEASE main", key: KEY });
        before.apt.sources["hashicorp"] = after.apt.sources["hashicorp"];
        assert.deepEqual(after, before);
        assert.deepEqual(hashicorpPins(out), hashicorpPins(userData));
        assert.throws(() => labUserData(out, KEY), /no HashiCorp apt source/);
        assert.throws(() => labUserData(userData, "not a key"), /armored/);
    });

    it("reads the pins, the packages and the node's address from the user data", () => {
        assert.deepEqual(hashicorpPins(userData), { consul: "1.20.2-1", nomad: "1.9.4-1" });
        assert.deepEqual(userDataPackages(userData), [
            "corosync", "docker.io", "fence-agents", "jq", "pacemaker", "pcs", "python3", "python3-openstackclient", "resource-agents", "unattended-upgrades", "xfsprogs",
        ]);
        assert.match(advertisedAddress(userData), /^10\.42\.0\.\d+$/);
    });

    it("NoCloud meta-data and network-config as Nova would give them", () => {
        assert.equal(noCloudMetaData("a28e7203-a202-4395-8519-c95ad5cdbb26", "my-first-db-0", "ssh-ed25519 AAAAC3Nz lab"),
            "instance-id: a28e7203-a202-4395-8519-c95ad5cdbb26\nlocal-hostname: my-first-db-0\npublic-keys:\n  - ssh-ed25519 AAAAC3Nz lab\n");
        assert.deepEqual(parse(noCloudNetworkConfig([{ ifname: "eth0", cidr: "10.42.0.148/24" }])), {
            version: 1, config: [{ type: "physical", name: "eth0", subnets: [{ type: "static", address: "10.42.0.148/24" }] }],
        });
        assert.throws(() => noCloudMetaData("x", "Bad_Host", "ssh-ed25519 AAAA"), /bad instance id or host name/);
        assert.throws(() => noCloudNetworkConfig([{ ifname: "eth0", cidr: "10.42.0.148" }]), /bad port/);
    });

    it("steps: the file drops on each node, then setup, then configure, each where its connection.host says, with their stdin kinds", () => {
        const steps = plan.steps({});
        assert.deepEqual(steps.map((s) => [s.name, s.node, s.stdinKind, s.after]), [
            ["my-first-db-my-first-db-0-secrets-install", "my-first-db-0", "file-drop-payload", []],
            ["my-first-db-my-first-db-1-secrets-install", "my-first-db-1", "file-drop-payload", []],
            ["my-first-db-pacemaker-setup", "my-first-db-0", "hacluster-password-line", ["my-first-db-my-first-db-0-secrets-install", "my-first-db-my-first-db-1-secrets-install"]],
            ["my-first-db-pacemaker-configure", "my-first-db-0", "none", ["my-first-db-pacemaker-setup"]],
        ]);
        const configure = steps[3].create;
        assert.ok(configure.startsWith("sudo bash -c "));
        assert.deepEqual(Object.keys(mockServerIds(configure)), ["my-first-db-0", "my-first-db-1"]);
        assert.deepEqual(plan.mockIds, mockServerIds(configure));
        assert.match(volumeIdOf(configure), /^[0-9a-f-]{36}$/);
        assert.deepEqual(urnRef("urn:pulumi:s::p::a:b:C$command:remote:Command::x-setup"), { type: "command:remote:Command", name: "x-setup" });
    });

    it("a replaced server (a new id): its file drop, setup and configure run again, the other node's drop does not", () => {
        const stdin = (s: Parameters<LabPlan["stdinOf"]>[0]) => plan.stdinOf(s, SECRETS);
        const before = plan.steps({});
        const after = plan.steps({ [plan.mockIds["my-first-db-1"]]: "11111111-2222-4333-8444-555555555555" });
        assert.ok(realize({ a: `x ${plan.mockIds["my-first-db-1"]}` }, { [plan.mockIds["my-first-db-1"]]: "NEW" }).a.endsWith("NEW"));
        assert.deepEqual(changedSteps(before, after, stdin, stdin).map((s) => [s.name, s.after]), [
            ["my-first-db-my-first-db-1-secrets-install", []],
            ["my-first-db-pacemaker-setup", ["my-first-db-my-first-db-1-secrets-install"]],
            ["my-first-db-pacemaker-configure", ["my-first-db-pacemaker-setup"]],
        ]);
        assert.deepEqual(changedSteps(before, plan.steps({}), stdin, stdin), [], "nothing changed, nothing runs");
    });

    it("2 → 3 nodes: the new node's drop, the others' (a new corosync.conf), setup and configure run; and back", () => {
        const small = (s: Parameters<LabPlan["stdinOf"]>[0]) => plan.stdinOf(s, SECRETS);
        const big = (s: Parameters<LabPlan["stdinOf"]>[0]) => grown.stdinOf(s, SECRETS);
        const names = (steps: { name: string }[]) => steps.map((s) => s.name.replace(/^my-first-db-/, ""));
        assert.deepEqual(grown.nodes, ["my-first-db-0", "my-first-db-1", "my-first-db-2"]);
        for (const n of plan.nodes) assert.equal(grown.addresses[n], plan.addresses[n], `${n} keeps its address`);
        assert.deepEqual(names(changedSteps(plan.steps({}), grown.steps({}), small, big)), [
            "my-first-db-0-secrets-install", "my-first-db-1-secrets-install", "my-first-db-2-secrets-install", "pacemaker-setup", "pacemaker-configure",
        ]);
        assert.deepEqual(names(changedSteps(grown.steps({}), plan.steps({}), big, small)), ["my-first-db-0-secrets-install", "my-first-db-1-secrets-install", "pacemaker-setup", "pacemaker-configure"]);
    });

    it("substituteDrop fills every [secret] and placeholder certificate of a node's drop, and refuses unknown ones", () => {
        const drop = JSON.parse(fs.readFileSync(path.join(plan.dir, "artifacts/ssh/my-first-db-0.json"), "utf8")) as { files: PayloadFile[] };
        const out = substituteDrop(drop, "my-first-db-0", SECRETS);
        const by = Object.fromEntries(out.files.map((f) => [f.path, f.content]));
        assert.deepEqual(out.feeds, [{ command: "/usr/sbin/chpasswd", input: "hacluster:HAPASS\n" }]);
        assert.deepEqual(out.absent, ["/etc/dbaas/hacluster.chpasswd"]);
        assert.match(by["/etc/openstack/clouds.yaml"], /application_credential_secret: "APPSECRET"/);
        assert.deepEqual(JSON.parse(by["/etc/consul.d/secrets.json"]), { encrypt: "R09TU0lQ", acl: { tokens: { agent: "TOKEN-UUID", default: "TOKEN-UUID" } } });
        assert.deepEqual(JSON.parse(by["/etc/nomad.d/secrets.json"]), { consul: { token: "TOKEN-UUID" } });
        assert.equal(by["/etc/nomad.d/tls/agent-key.pem"], "LAB-KEY-0\n");
        assert.equal(by["/etc/nomad.d/takeover-token"], "NOMAD-UUID\n");
        assert.equal(by["/etc/nomad.d/tls/agent.pem"], "LAB-CERT-0\n");
        assert.equal(by["/etc/consul.d/tls/ca.pem"], "LAB-CA\n");
        assert.equal(by["/etc/corosync/authkey"], SECRETS.authkeys.corosync);
        assert.equal(by["/etc/pacemaker/authkey"], SECRETS.authkeys.pacemaker);
        assert.match(by["/etc/corosync/corosync.conf"], /cluster_name: my-first-db\n/);
        assert.deepEqual(out.files.map((f) => [f.path, f.mode, f.owner, f.group]), drop.files.map((f) => [f.path, f.mode, f.owner, f.group]));
        assert.throws(() => substituteSecrets([{ path: "/etc/x.conf", content: "pw=[secret]", mode: "0600", owner: "root", group: "root" }], "my-first-db-0", SECRETS), /no rule/);
        assert.throws(() => substituteDrop({ ...drop, feeds: [{ command: "/x", input: "[secret]" }] }, "my-first-db-0", SECRETS), /no rule/);
        assert.throws(() => substituteSecrets(drop.files, "my-first-db-9", SECRETS), /no lab TLS material/);
    });
});

describe("lab: SSH, images, volume, the drill's read-back", () => {
    it("ssh runs the command string as one argument through the bastion (ProxyJump), no terminal", () => {
        const route = { configFile: "/w/ssh_config", user: "debian", bastion: "198.51.100.10", host: "10.42.0.148" };
        assert.deepEqual(sshArgv(route, "set -eu\necho hi"), ["ssh", "-F", "/w/ssh_config", "-T", "-J", "debian@198.51.100.10", "debian@10.42.0.148", "set -eu\necho hi"]);
        assert.deepEqual(sshArgv({ ...route, host: "198.51.100.10" }, "true"), ["ssh", "-F", "/w/ssh_config", "-T", "debian@198.51.100.10", "true"]);
        assert.ok(isDialError({ code: 255, stdout: "", stderr: "Connection timed out during banner exchange\r\n" }));
        assert.ok(!isDialError({ code: 255, stdout: "", stderr: "some remote failure" }), "a remote command's own exit 255 is not retried");
        assert.ok(!isDialError({ code: 1, stdout: "", stderr: "Connection refused" }));
        assert.match(sshConfig("/w/key"), /IdentityFile \/w\/key\n {2}IdentitiesOnly yes\n {2}StrictHostKeyChecking no/);
    });

    it("image cache keys change with the package lists and the build script, not with their order", () => {
        const a = imageKeys(["b", "a"], ["y", "x"], "script");
        assert.deepEqual(a, imageKeys(["a", "b", "a"], ["x", "y"], "script"));
        assert.notEqual(imageKeys(["a"], ["x", "y"], "script").base, a.base);
        assert.notEqual(imageKeys(["a", "b"], ["x"], "script").layer, a.layer);
        assert.equal(imageKeys(["a", "b"], ["x"], "script").base, a.base);
        assert.notEqual(imageKeys(["a", "b"], ["x", "y"], "script2").base, a.base);
    });

    it("the lab's shell scripts and agents pass shellcheck, the stub agent compiles", () => {
        const dir = path.join(__dirname, "..", "lab");
        const scripts = [...fs.readdirSync(dir).filter((f) => f.endsWith(".sh")).map((f) => path.join(dir, f)), ...fs.readdirSync(path.join(dir, "agents")).map((f) => path.join(dir, "agents", f))];
        assert.ok(scripts.length >= 9);
        execFileSync("shellcheck", ["-x", ...scripts], { stdio: "pipe" });
        execFileSync("python3", ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", path.join(dir, "stubs", "agent-stub")], { stdio: "pipe" });
    });

    it("the volume appears where the Cinder agent's local check looks (virtio-<first 20 characters>)", () => {
        assert.deepEqual(volumeDevicePaths("0123456789abcdefghij-klmnop"), { node: "/dev/vdb", link: "/dev/disk/by-id/virtio-0123456789abcdefghij", target: "../../vdb" });
    });

    it("reads Pacemaker's millisecond timestamps (UTC, as the machines run) and the events after a time", () => {
        const log = [
            "Nov 25 13:18:36.950 n2 pacemaker-controld  [42] (update_peer_state_iter) \tnotice: Node n1 state is now lost | nodeid=1",
            "Nov 25 13:18:53.930 n2 pacemaker-controld  [42] (log_executor_event) \tnotice: Result of start operation for data-fs on n2: ok | rc=0",
        ].join("\n");
        const t = pacemakerTime(log, 2026)!;
        assert.equal(new Date(t).toISOString(), "2026-11-25T13:18:36.950Z");
        const ev = pacemakerEvents(log, resultRe("start", "data-fs"), t);
        assert.equal(ev.length, 1);
        assert.equal(pacemakerEvents(log, resultRe("start", "data-fs"), ev[0].t + 1).length, 0);
    });

    it("finds the outage and the first answer after it in the client's log; min / median / max", () => {
        const p = parseProbes("100 110 ok\n200 700 fail\n300 800 fail\n400 420 ok\n500 510 ok\n");
        const o = outage(p, 150);
        assert.equal(o.firstFail?.start, 200);
        assert.equal(o.back?.end, 420);
        assert.equal(o.failures, 2);
        assert.equal(outage(p, 450).firstFail, null);
        assert.deepEqual(stats([3, 1, 2, 10]), { n: 4, min: 1, median: 2.5, max: 10 });
    });
});
