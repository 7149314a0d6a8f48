/** The policy pack's rules (c) to (f) on our example stacks and on a small database fixture (see policy.test.ts). */
import * as assert from "assert";
import { configureScript } from "../render/pacemaker";
import { TYPES, dataIsProtected, databaseServersAntiAffinity, fencingEnabled, noSecretsInUserData, secretFindings, type CheckedResource } from "../policy/rules";
import { withProps, changed, first, assertNone, assertOne, DB_CONFIG, PCS_SCRIPT, databaseFixture, useCheckedStack, assertPasses } from "./support/policy";

describe("policy pack rules: (c) to (f)", () => {
    const { run: dev, resources: devResources } = useCheckedStack("Pulumi.dev.yaml");
    describe("(c) data-is-protected", () => {
        const check = dataIsProtected;

        it("passes: the fixture's volume is retained on delete and its backup container protected", () => {
            assertNone(check(databaseFixture(), DB_CONFIG));
        });

        it("fails: the volume with retainOnDelete dropped", () => {
            const v = check(changed(databaseFixture(), "db-data", (r) => ({ ...r, retainOnDelete: false })), DB_CONFIG);
            assertOne(v, "db-data", /data volume is neither protected nor retained/);
        });

        it("fails: the backup container unprotected", () => {
            const resources = changed(databaseFixture(), "db-backups", (r) => ({ ...r, protect: false }));
            assertOne(check(resources, DB_CONFIG), "db-backups", /backup container is neither protected nor retained/);
        });

        it("passes: an unprotected volume and backup container when the stack sets dbaas:deleteData=true on purpose", () => {
            const resources = changed(changed(databaseFixture(), "db-data", (r) => ({ ...r, retainOnDelete: false })), "db-backups", (r) => ({ ...r, protect: false }));
            assertNone(check(resources, { ...DB_CONFIG, "dbaas:deleteData": "true" }));
        });
    });

    describe("(d) no-secrets-in-user-data", () => {
        const check = noSecretsInUserData;
        let server: CheckedResource;
        before(() => {
            server = first(devResources(), TYPES.instance, (r) => r.name.includes("server"));
        });
        const append = (text: string) => (r: CheckedResource) => withProps(r, { userData: `${String(r.props["userData"])}\n${text}\n` });

        it("passes: the dev stack's real cloud-init (servers and bastion)", () => {
            assert.ok(devResources().filter((r) => r.type === TYPES.instance).every((r) => typeof r.props["userData"] === "string"));
            assertNone(check(devResources(), dev().config));
        });

        it("fails: a private key, a password, a gossip key, an ACL token, a base64-wrapped secret", () => {
            const gossip = Buffer.alloc(32, 7).toString("base64");
            const cases: [string, RegExp][] = [
                ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", /private key block/],
                ["  - echo 'POSTGRES_PASSWORD=Sup3rS3cretValue' >> /etc/default/db", /"POSTGRES_PASSWORD"/],
                [`encrypt = "${gossip}"`, /"encrypt"|32-byte base64 key/],
                [`      acl { tokens { default = "3f1c2a9e-0b7d-4c53-9a1e-5d2f8b6c7e10" } } # token`, /UUID next to the word "token"/],
                [`  - content: ${Buffer.from("consul_token: 3f1c2a9e-0b7d-4c53-9a1e-5d2f8b6c7e10\n" + "x".repeat(40)).toString("base64")}\n    encoding: b64`, /base64-encoded/],
                ["  - [ sh, -c, 'nomad var put secret/db password=MOCKSECRET-db-1234567890ab' ]", /"password"/],
            ];
            for (const [text, pattern] of cases) {
                const v = check(changed(devResources(), server.name, append(text)), dev().config);
                assertOne(v, server.name, pattern);
            }
        });

        it("passes: placeholders, references, flags and paths (low false positives)", () => {
            const texts = [
                "ssh_pwauth: false",
                "chpasswd: {expire: false}",
                "lock_passwd: true",
                'token = "${NOMAD_TOKEN}"',
                "password: [secret]",
                "password_file: /etc/dbaas/password",
                'export CONSUL_HTTP_TOKEN="$(cat /etc/consul.d/token)"',
                "encrypt_verify_incoming = true",
                "token_ttl: 3600",
                "ssh_authorized_keys:\n  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0b2tlbmZvcnRlc3RpbmdvbmVvbmVvbmVvbmVvbmU= ops",
                "acl { default_policy = \"deny\"  enable_token_persistence = true }",
                "anonymous token 00000000-0000-0000-0000-000000000002",
                "accessor_id (token): 3f1c2a9e-0b7d-4c53-9a1e-5d2f8b6c7e10",
            ];
            for (const text of texts) assert.deepEqual(secretFindings(text), [], text);
            assertNone(check(changed(devResources(), server.name, append(texts.join("\n"))), dev().config));
        });
    });

    describe("(e) database-servers-anti-affinity", () => {
        const check = databaseServersAntiAffinity;

        it("passes: the dev stack's servers share one anti-affinity group (the bastion is exempt); so do the fixture's", () => {
            assertPasses(check, [devResources(), dev().config], [databaseFixture(), DB_CONFIG]);
        });

        it("fails: the dev stack's server group turned into affinity", () => {
            const group = first(devResources(), TYPES.serverGroup);
            const v = check(changed(devResources(), group.name, (r) => withProps(r, { policies: ["soft-anti-affinity"] })), dev().config);
            assert.equal(v.length, 3);
            assert.match(v[0].message, /is not an anti-affinity group/);
        });

        it("fails: a database server without scheduler hints", () => {
            const v = check(changed(databaseFixture(), "db-server-1", (r) => withProps(r, { schedulerHints: undefined })), DB_CONFIG);
            assertOne(v, "db-server-1", /no schedulerHints group/);
        });

        it("fails: the servers of one database in two different groups", () => {
            const base = databaseFixture();
            const group = first(base, TYPES.serverGroup);
            const other = { ...group, name: "other", urn: group.urn + "-other" };
            const resources = [...changed(base, "db-server-1", (r) => ({ ...r, dependsOn: [other.urn] })), other];
            const v = check(resources, DB_CONFIG);
            assertOne(v, "db", /2 different server groups/);
        });

        it("matches a group by id when the props carry it", () => {
            const base = databaseFixture();
            const withIds = changed(base, "db-servers", (r) => withProps(r, { id: "sg-uuid", policies: ["affinity"] })).map((r) => ({ ...r, dependsOn: [] }));
            assert.equal(check(withIds, DB_CONFIG).length, 2);
        });
    });

    describe("(f) fencing-enabled", () => {
        const check = fencingEnabled;

        it("passes: the fixture's configure command (stonith-enabled=true, a fence_openstack device); the dev stack has no cluster", () => {
            assertNone(check(databaseFixture(), DB_CONFIG));
            assertNone(check(devResources(), dev().config));
        });

        it("passes: the script handed over base64-encoded, or through stdin", () => {
            const b64 = Buffer.from(PCS_SCRIPT).toString("base64");
            assertNone(check(changed(databaseFixture(), "db-pacemaker-configure", (r) => withProps(r, { create: `echo ${b64} | base64 -d > /tmp/c.sh && sudo bash /tmp/c.sh` })), DB_CONFIG));
            assertNone(check(changed(databaseFixture(), "db-pacemaker-configure", (r) => withProps(r, { create: "sudo bash -s", stdin: PCS_SCRIPT })), DB_CONFIG));
        });

        it("passes with the real pcs configure script (render/pacemaker.ts), fails once it disables fencing", () => {
            const script = configureScript({
                clusterName: "my-first-db",
                nodes: [
                    { name: "my-first-db-0", address: "10.42.0.10", serverId: "11111111-1111-4111-8111-111111111111" },
                    { name: "my-first-db-1", address: "10.42.0.11", serverId: "22222222-2222-4222-8222-222222222222" },
                ],
                volumeId: "33333333-3333-4333-8333-333333333333",
                floatingIpId: "44444444-4444-4444-8444-444444444444",
                floatingIp: "203.0.113.10",
                subnetId: "55555555-5555-4555-8555-555555555555",
                mountpoint: "/srv/my-first-db",
                fstype: "xfs",
                cloud: "dbaas",
            });
            const withScript = (text: string) => changed(databaseFixture(), "db-pacemaker-configure", (r) => withProps(r, { create: "sudo bash -s /var/lib/dbaas/cib.xml", stdin: text }));
            assertNone(check(withScript(script), DB_CONFIG));
            assert.ok(script.includes("stonith-enabled=true"));
            const v = check(withScript(script.replace("stonith-enabled=true", "stonith-enabled=false")), DB_CONFIG);
            assertOne(v, "db-pacemaker-configure", /stonith-enabled=false/);
        });

        it("fails: stonith-enabled=false", () => {
            const script = PCS_SCRIPT.replace("stonith-enabled=true", "stonith-enabled=false");
            const v = check(changed(databaseFixture(), "db-pacemaker-configure", (r) => withProps(r, { create: script })), DB_CONFIG);
            assertOne(v, "db-pacemaker-configure", /stonith-enabled=false/);
        });

        it("fails: stonith-enabled never set, or no fence device", () => {
            const noProperty = PCS_SCRIPT.split("\n").filter((l) => !l.includes("stonith-enabled")).join("\n");
            assertOne(check(changed(databaseFixture(), "db-pacemaker-configure", (r) => withProps(r, { create: noProperty })), DB_CONFIG), "db-pacemaker-configure", /does not set stonith-enabled=true/);
            const noDevice = PCS_SCRIPT.split("\n").filter((l) => !l.includes("stonith create")).join("\n");
            assertOne(check(changed(databaseFixture(), "db-pacemaker-configure", (r) => withProps(r, { create: noDevice })), DB_CONFIG), "db-pacemaker-configure", /creates a fence device/);
        });

        it("fails: a database stack with no Pacemaker configuration at all", () => {
            const v = check(databaseFixture().filter((r) => r.type !== TYPES.remoteCommand), DB_CONFIG);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /no remote command applying a Pacemaker configuration/);
        });
    });

});
