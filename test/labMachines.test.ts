// The machine lab's pure functions (lab/machines/), on the offline plan of the example database
// stack: the one user-data change, the order and inputs of the remote commands, the secret
// substitution, the SSH command line, the image cache key. No root needed.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { advertisedAddress, hashicorpPins, labUserData, noCloudMetaData, noCloudNetworkConfig, userDataPackages } from "../lab/machines/userData";
import { PlanResource, pcmkHostMap, remoteSteps, urnRef, volumeIdOf } from "../lab/machines/plan";
import { LabSecrets, PayloadFile, substituteSecrets } from "../lab/machines/secrets";
import { isDialError, sshArgv, sshConfig } from "../lab/machines/ssh";
import { imageKeys } from "../lab/machines/images";
import { volumeDevicePaths } from "../lab/machines/controller";

const KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZlab\n-----END PGP PUBLIC KEY BLOCK-----\n";

describe("lab/machines: the offline plan as the machine lab reads it", function () {
    this.timeout(180000);
    let dir: string;
    let resources: PlanResource[];
    let userData: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-machines-plan-"));
        execFileSync("node", ["cli/dbaas.js", "render", "--config", "Pulumi.my-first-db.yaml", "--out", dir], { stdio: "pipe" });
        resources = (JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8")) as { resources: PlanResource[] }).resources;
        userData = fs.readFileSync(path.join(dir, "artifacts/cloud-init/my-first-db-0.yaml"), "utf8");
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

    it("remoteSteps: the file drops on each node, then setup, then configure on the first node, with their stdin kinds", () => {
        const steps = remoteSteps(resources);
        assert.deepEqual(steps.map((s) => [s.name, s.node, s.stdinKind, s.after]), [
            ["my-first-db-my-first-db-0-secrets-install", "my-first-db-0", "file-drop-payload", []],
            ["my-first-db-my-first-db-1-secrets-install", "my-first-db-1", "file-drop-payload", []],
            ["my-first-db-pacemaker-setup", "my-first-db-0", "hacluster-password-line", ["my-first-db-my-first-db-0-secrets-install", "my-first-db-my-first-db-1-secrets-install"]],
            ["my-first-db-pacemaker-configure", "my-first-db-0", "none", ["my-first-db-pacemaker-setup"]],
        ]);
        const configure = steps[3].create;
        assert.ok(configure.startsWith("sudo bash -c "));
        assert.deepEqual(Object.keys(pcmkHostMap(configure)), ["my-first-db-0", "my-first-db-1"]);
        assert.match(volumeIdOf(configure), /^[0-9a-f-]{36}$/);
        assert.deepEqual(urnRef("urn:pulumi:s::p::a:b:C$command:remote:Command::x-setup"), { type: "command:remote:Command", name: "x-setup" });
    });

    it("substituteSecrets fills every [secret] and placeholder certificate of a node's payload, and refuses unknown ones", () => {
        const files = (JSON.parse(fs.readFileSync(path.join(dir, "artifacts/ssh/my-first-db-0.json"), "utf8")) as { files: PayloadFile[] }).files;
        const s: LabSecrets = {
            hacluster: "HAPASS", appCredentialSecret: "APPSECRET", gossipKey: "R09TU0lQ", consulToken: "TOKEN-UUID", nomadTakeoverToken: "NOMAD-UUID", caPem: "LAB-CA\n",
            tls: { "my-first-db-0": { certPem: "LAB-CERT\n", keyPem: "LAB-KEY\n" } },
        };
        const out = substituteSecrets(files, "my-first-db-0", s);
        const by = Object.fromEntries(out.map((f) => [f.path, f.content]));
        assert.equal(by["/etc/dbaas/hacluster.chpasswd"], "hacluster:HAPASS\n");
        assert.match(by["/etc/openstack/clouds.yaml"], /application_credential_secret: "APPSECRET"/);
        assert.deepEqual(JSON.parse(by["/etc/consul.d/secrets.json"]), { encrypt: "R09TU0lQ", acl: { tokens: { agent: "TOKEN-UUID", default: "TOKEN-UUID" } } });
        assert.deepEqual(JSON.parse(by["/etc/nomad.d/secrets.json"]), { consul: { token: "TOKEN-UUID" } });
        assert.equal(by["/etc/nomad.d/tls/agent-key.pem"], "LAB-KEY\n");
        assert.equal(by["/etc/nomad.d/takeover-token"], "NOMAD-UUID\n");
        assert.equal(by["/etc/nomad.d/tls/agent.pem"], "LAB-CERT\n");
        assert.equal(by["/etc/consul.d/tls/ca.pem"], "LAB-CA\n");
        assert.deepEqual(out.map((f) => [f.path, f.mode, f.owner, f.group]), files.map((f) => [f.path, f.mode, f.owner, f.group]));
        assert.throws(() => substituteSecrets([{ path: "/etc/x.conf", content: "pw=[secret]", mode: "0600", owner: "root", group: "root" }], "my-first-db-0", s), /no rule/);
        assert.throws(() => substituteSecrets(files, "my-first-db-9", s), /no lab TLS material/);
    });
});

describe("lab/machines: SSH, images, volume", () => {
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
        const dir = path.join(__dirname, "..", "lab", "machines");
        const scripts = [...fs.readdirSync(dir).filter((f) => f.endsWith(".sh")).map((f) => path.join(dir, f)), ...fs.readdirSync(path.join(dir, "agents")).map((f) => path.join(dir, "agents", f))];
        assert.ok(scripts.length >= 9);
        execFileSync("shellcheck", ["-x", ...scripts], { stdio: "pipe" });
        execFileSync("python3", ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", path.join(dir, "stubs", "agent-stub")], { stdio: "pipe" });
    });

    it("the volume appears where the Cinder agent's local check looks (virtio-<first 20 characters>)", () => {
        assert.deepEqual(volumeDevicePaths("0123456789abcdefghij-klmnop"), { node: "/dev/vdb", link: "/dev/disk/by-id/virtio-0123456789abcdefghij", target: "../../vdb" });
    });
});
