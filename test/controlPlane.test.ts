import * as assert from "assert";
import { runStack } from "../plan/run";
import { useStackRun } from "./support/fixtures";
import { RESOURCE_TYPES } from "../common/tokens";
import { REDACTED } from "../render/redacted";
import { CONTROL_PLANE_OUTPUTS } from "../contract/controlPlane";
import { everythingWritten, leakedSecrets, ofType, one, rootOf } from "./support/resources";

const { instance: INSTANCE, secGroupRule: RULE, remoteCommand: COMMAND } = RESOURCE_TYPES;

describe("ControlPlane (mock runtime, Pulumi.dev.yaml)", () => {
    const run = useStackRun("Pulumi.dev.yaml");

    it("is one dbaas:index:ControlPlane component, parent of everything it declares", () => {
        const cp = one(run(), "dbaas:index:ControlPlane", "controlplane");
        for (const r of run().resources) assert.equal(rootOf(run(), r), cp, `${r.type} ${r.name} is not under the ControlPlane`);
    });

    it("creates a network, a subnet with the configured CIDR and a router to the external network", () => {
        one(run(), "openstack:networking/network:Network", "controlplane-net-network");
        const subnet = one(run(), "openstack:networking/subnet:Subnet", "controlplane-net-subnet");
        assert.equal(subnet.inputs["cidr"], "10.42.0.0/24");
        assert.deepEqual(subnet.inputs["dnsNameservers"], ["9.9.9.9", "149.112.112.112"]);
        const router = one(run(), "openstack:networking/router:Router", "controlplane-net-router");
        assert.ok(typeof router.inputs["externalNetworkId"] === "string" && router.inputs["externalNetworkId"] !== "");
        one(run(), "openstack:networking/routerInterface:RouterInterface", "controlplane-net-router-interface");
    });

    it("runs 3 servers in one anti-affinity server group, each on its own port", () => {
        const group = one(run(), "openstack:compute/serverGroup:ServerGroup", "controlplane-servers");
        assert.deepEqual(group.inputs["policies"], ["anti-affinity"]);
        const servers = ofType(run(), INSTANCE).filter((r) => r.name.startsWith("controlplane-server-"));
        assert.equal(servers.length, 3);
        for (const s of servers) {
            assert.ok(s.dependsOn.includes(group.urn), `${s.name} does not depend on the server group`);
            const hints = s.inputs["schedulerHints"] as { group: string }[];
            assert.equal(hints.length, 1);
            assert.ok(hints[0].group, `${s.name} has no server group hint`);
            assert.equal(s.inputs["flavorName"], "m1.medium");
            assert.equal(s.inputs["imageName"], "debian-12-genericcloud-amd64");
            assert.deepEqual(s.ignoreChanges.sort(), ["imageName", "userData"], "a changed image or user data must not replace a server");
            const port = one(run(), "openstack:networking/port:Port", `${s.name}-port`);
            assert.ok(s.dependsOn.includes(port.urn));
        }
    });

    it("has a bastion with a floating IP from the external network", () => {
        const fip = one(run(), "openstack:networking/floatingIp:FloatingIp", "controlplane-bastion-fip");
        assert.equal(fip.inputs["pool"], "public");
        assert.ok(fip.dependsOn.includes(one(run(), "openstack:networking/port:Port", "controlplane-bastion-port").urn));
        assert.match(String(run().outputs["bastionAddress"]), /^\d+\.\d+\.\d+\.\d+$/);
    });

    it("opens SSH on the bastion to the operator CIDRs only", () => {
        const rules = ofType(run(), RULE).filter((r) => r.name.startsWith("controlplane-bastion-"));
        assert.equal(rules.length, 1);
        assert.equal(rules[0].inputs["portRangeMin"], 22);
        assert.equal(rules[0].inputs["portRangeMax"], 22);
        assert.equal(rules[0].inputs["remoteIpPrefix"], "198.51.100.0/24");
    });

    it("lets the servers accept SSH from the bastion's group only, agents from inside the network, APIs from operators", () => {
        const bastionSg = one(run(), "openstack:networking/secGroup:SecGroup", "controlplane-bastion-sg");
        const rules = ofType(run(), RULE).filter((r) => !r.name.startsWith("controlplane-bastion-"));
        const ssh = rules.filter((r) => Number(r.inputs["portRangeMin"]) <= 22 && Number(r.inputs["portRangeMax"]) >= 22);
        assert.equal(ssh.length, 1);
        assert.equal(ssh[0].inputs["remoteIpPrefix"], undefined);
        assert.ok(ssh[0].dependsOn.includes(bastionSg.urn), "SSH must come from the bastion's security group");
        for (const r of rules.filter((x) => x.name.includes("-internal-"))) {
            assert.equal(r.inputs["remoteIpPrefix"], "10.42.0.0/24", `${r.name} must be limited to the network`);
        }
        const api = rules.filter((r) => r.name.includes("-api-"));
        assert.deepEqual(api.map((r) => r.inputs["portRangeMin"]).sort(), [4646, 8501]);
        for (const r of api) assert.equal(r.inputs["remoteIpPrefix"], "198.51.100.0/24");
    });

    it("opens nothing to the world: every rule has a non-/0 source", () => {
        for (const r of ofType(run(), RULE)) {
            const prefix = r.inputs["remoteIpPrefix"] as string | undefined;
            const group = r.inputs["remoteGroupId"] as string | undefined;
            assert.ok(prefix || group, `${r.name} has no source: it would be open to everyone`);
            if (prefix) assert.ok(!prefix.endsWith("/0"), `${r.name} is open to ${prefix}`);
            assert.equal(r.inputs["direction"], "ingress");
        }
    });

    it("generates the SSH key pair, and the key pair gets only its public half", () => {
        const key = one(run(), "tls:index/privateKey:PrivateKey", "controlplane-ssh-key");
        assert.equal(key.inputs["algorithm"], "ED25519");
        const kp = one(run(), "openstack:compute/keypair:Keypair", "controlplane-keypair");
        assert.match(String(kp.inputs["publicKey"]), /^ssh-ed25519 /);
        assert.ok(kp.dependsOn.includes(key.urn));
    });

    it("exports every output of the contract, secret exactly where the contract says", () => {
        assert.deepEqual(Object.keys(run().outputs).sort(), Object.keys(CONTROL_PLANE_OUTPUTS).sort());
        const expectedSecret = Object.entries(CONTROL_PLANE_OUTPUTS).filter(([, v]) => v.secret).map(([k]) => k).sort();
        assert.deepEqual(run().secretOutputs, expectedSecret);
        for (const k of expectedSecret) assert.equal(run().outputs[k], REDACTED);
        assert.match(String(run().outputs["nomadAddress"]), /^https:\/\/[\d.]+:4646$/);
        assert.match(String(run().outputs["consulAddress"]), /^https:\/\/[\d.]+:8501$/);
        assert.equal((run().outputs["serverAddresses"] as string[]).length, 3);
    });

    it("exports the generated secrets as secrets (pulumi.isSecret), their real values behind", () => {
        for (const k of ["sshPrivateKey", "nomadToken", "consulToken", "consulGossipKey", "caPrivateKeyPem"]) {
            assert.ok(run().secretOutputs.includes(k), `${k} is not a secret output`);
            const raw = String(run().rawOutputs[k]);
            assert.ok(run().secretValues.some((s) => raw.includes(s)), `${k} is not one of the generated secrets`);
        }
    });

    it("writes no secret in clear in the plan, a plain output or an artifact", () => {
        assert.ok(run().secretValues.length >= 8, "the mocks handed out the generated secrets");
        assert.deepEqual(leakedSecrets(run(), everythingWritten(run())), []);
    });

    it("puts no secret in any user data", () => {
        for (const s of ofType(run(), INSTANCE)) {
            const userData = String(s.rawInputs["userData"]);
            assert.ok(userData.startsWith("#cloud-config\n"), `${s.name} has no cloud-config`);
            assert.deepEqual(leakedSecrets(run(), userData), [], `${s.name}'s user data carries a secret`);
            assert.doesNotMatch(userData, /PRIVATE KEY|"encrypt"|initial_management|"token"/);
        }
    });

    it("sends the secrets over SSH through the bastion, after each server exists", () => {
        const bastionFip = one(run(), "openstack:networking/floatingIp:FloatingIp", "controlplane-bastion-fip");
        for (let i = 0; i < 3; i++) {
            const cmd = one(run(), COMMAND, `controlplane-server-${i}-secrets-install`);
            assert.equal(cmd.inputs["stdin"], REDACTED, "the payload must be a secret");
            const stdin = String(cmd.rawInputs["stdin"]);
            assert.ok(leakedSecrets(run(), stdin).length >= 3, "gossip keys and tokens travel in the payload");
            const conn = cmd.rawInputs["connection"] as { host: string; proxy: { host: string } };
            assert.equal(conn.proxy.host, run().outputs["bastionAddress"]);
            assert.ok((run().outputs["serverAddresses"] as string[]).includes(conn.host));
            const component = one(run(), "dbaas:index:RemoteFiles", `controlplane-server-${i}-secrets`);
            assert.ok(component.dependsOn.includes(one(run(), INSTANCE, `controlplane-server-${i}`).urn));
            assert.ok(bastionFip.urn && cmd.dependsOn.length > 0);
        }
    });

    it("bootstraps Nomad's ACLs with the generated token after every server has its secrets", () => {
        const boot = one(run(), COMMAND, "controlplane-nomad-acl-bootstrap");
        for (let i = 0; i < 3; i++) {
            assert.ok(boot.dependsOn.includes(one(run(), COMMAND, `controlplane-server-${i}-secrets-install`).urn));
        }
        assert.equal(boot.inputs["stdin"], REDACTED);
        assert.match(String(boot.inputs["create"]), /nomad acl bootstrap -/);
    });
});

describe("ControlPlane API address (mock runtime)", () => {
    const run = useStackRun("Pulumi.dev.yaml");

    it("names the API floating IP in every server certificate (the providers verify it)", () => {
        const fip = one(run(), "openstack:networking/floatingIp:FloatingIp", "controlplane-api-fip");
        const address = String(run().outputs["nomadAddress"]).replace(/^https:\/\/|:4646$/g, "");
        for (let i = 0; i < 3; i++) {
            const csr = one(run(), "tls:index/certRequest:CertRequest", `controlplane-server-${i}-tls-csr`);
            assert.ok((csr.inputs["ipAddresses"] as string[]).includes(address), `server ${i}'s certificate does not name ${address}`);
            assert.ok(csr.dependsOn.includes(fip.urn));
        }
    });

    it("associates the API address with a server only after Nomad's ACLs are bootstrapped", () => {
        const assoc = one(run(), "openstack:networking/floatingIpAssociate:FloatingIpAssociate", "controlplane-api-fip-association");
        assert.ok(assoc.dependsOn.includes(one(run(), "command:remote:Command", "controlplane-nomad-acl-bootstrap").urn));
        assert.equal(one(run(), "openstack:networking/floatingIp:FloatingIp", "controlplane-api-fip").inputs["portId"], undefined);
    });
});

describe("ControlPlane variants (mock runtime)", () => {
    it("runs 5 servers when dbaas:servers is 5", async () => {
        const variant = await runStack("Pulumi.dev.yaml", { overrides: { "dbaas:servers": "5" } });
        assert.equal(ofType(variant, INSTANCE).filter((r) => r.name.startsWith("controlplane-server-")).length, 5);
        assert.equal((variant.outputs["serverAddresses"] as string[]).length, 5);
    });

    it("creates no network, subnet or router on an existing network", async () => {
        const variant = await runStack("Pulumi.dev.yaml", {
            overrides: {
                "dbaas:subnetCidr": undefined,
                "dbaas:existingNetwork": JSON.stringify({ networkId: "net-existing", subnetId: "subnet-existing" }),
            },
        });
        assert.equal(ofType(variant, "openstack:networking/network:Network").length, 0);
        assert.equal(ofType(variant, "openstack:networking/subnet:Subnet").length, 0);
        assert.equal(ofType(variant, "openstack:networking/router:Router").length, 0);
        assert.equal(variant.outputs["networkId"], "net-existing");
        for (const p of ofType(variant, "openstack:networking/port:Port")) assert.equal(p.inputs["networkId"], "net-existing");
    });
});
