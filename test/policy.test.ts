/**
 * The policy pack's rules (policy/rules.ts), run on what the engine would send them.
 *
 * Passing cases: the mock-runtime registrations of our own example stacks (Pulumi.dev.yaml,
 * Pulumi.my-first-db.yaml). Failing cases: the same registrations with one crafted change.
 * Rules that only a database stack exercises (data protection, fencing, database anti-affinity)
 * also run on a small database fixture, so they are covered while the database stack is young.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { runStack, type StackRun } from "../testing/harness";
import { fromPolicyResource, fromRecorded, plainCopy } from "../policy/adapt";
import {
    POLICIES,
    TYPES,
    UNKNOWN,
    checkAll,
    cidrWithin,
    dataIsProtected,
    databaseServersAntiAffinity,
    enginePortOnlyFromAllowedCidrs,
    fencingEnabled,
    noPublicAdminPorts,
    noSecretsInUserData,
    secretFindings,
    type CheckedResource,
    type StackConfig,
    type StackPolicy,
    type Violation,
} from "../policy/rules";
import { loadStackConfig, stackNameFromUrn } from "../policy/stackConfig";
import { configureScript } from "../render/pacemaker";

// ---------------------------------------------------------------------------------------------
// Helpers: crafted changes on a list of resources.

function urnOf(stack: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::cloud-dbaas::${type}::${name}`;
}

function withProps(r: CheckedResource, props: Record<string, unknown>): CheckedResource {
    return { ...r, props: { ...r.props, ...props } };
}

/** The resources with the one named `name` changed by `change`. */
function changed(resources: readonly CheckedResource[], name: string, change: (r: CheckedResource) => CheckedResource): CheckedResource[] {
    assert.ok(resources.some((r) => r.name === name), `no resource named ${name}`);
    return resources.map((r) => (r.name === name ? change(r) : r));
}

function first(resources: readonly CheckedResource[], type: string, filter: (r: CheckedResource) => boolean = () => true): CheckedResource {
    const r = resources.find((x) => x.type === type && filter(x));
    assert.ok(r, `no ${type}`);
    return r;
}

/** A security group rule next to `like` (same parent and stack), with the given props. */
function extraRule(like: CheckedResource, name: string, props: Record<string, unknown>): CheckedResource {
    const stack = stackNameFromUrn(like.urn) ?? "test";
    return {
        type: TYPES.secGroupRule,
        name,
        urn: urnOf(stack, TYPES.secGroupRule, name),
        parent: like.parent,
        protect: false,
        retainOnDelete: false,
        props: { direction: "ingress", ethertype: "IPv4", securityGroupId: "sg-1", ...props },
    };
}

function assertNone(violations: Violation[]): void {
    assert.deepEqual(violations.map((v) => v.message), []);
}

function assertOne(violations: Violation[], name: string, pattern: RegExp): void {
    assert.equal(violations.length, 1, `expected one violation, got: ${JSON.stringify(violations.map((v) => v.message), null, 1)}`);
    assert.equal(violations[0].name, name);
    assert.match(violations[0].message, pattern);
    assert.ok(violations[0].urn, "the violation names the resource's URN");
}

// ---------------------------------------------------------------------------------------------
// A small database stack, as the program is meant to register it (see design.md).

const DB_CONFIG: StackConfig = { "dbaas:kind": "database", "dbaas:allowedCidrs": '["10.0.0.0/8", "2001:db8::/32"]' };

const PCS_SCRIPT = [
    "#!/bin/bash",
    "set -euo pipefail",
    'pcs -f "$1" property set stonith-enabled=true',
    'pcs -f "$1" property set no-quorum-policy=stop',
    'pcs -f "$1" stonith create fence-openstack fence_openstack auth_url=https://keystone.example.org:5000/v3 pcmk_host_map="db-0:a;db-1:b"',
    'pcs -f "$1" resource create data-volume ocf:heartbeat:openstack-cinder-volume volume_id=vol-1 --group db',
].join("\n");

function databaseFixture(): CheckedResource[] {
    const s = "my-first-db";
    const db = urnOf(s, TYPES.database, "db");
    const r = (type: string, name: string, props: Record<string, unknown>, extra: Partial<CheckedResource> = {}): CheckedResource => ({
        type,
        name,
        urn: urnOf(s, `${TYPES.database}$${type}`, name),
        parent: db,
        protect: false,
        retainOnDelete: false,
        props,
        ...extra,
    });
    const group = r(TYPES.serverGroup, "db-servers", { name: "db", policies: ["anti-affinity"] });
    const server = (i: number) =>
        r(TYPES.instance, `db-server-${i}`, { userData: "#cloud-config\nhostname: db-" + i + "\nssh_pwauth: false\n", schedulerHints: [{ group: "sg-uuid" }] }, { dependsOn: [group.urn] });
    return [
        { type: TYPES.database, name: "db", urn: db, protect: false, retainOnDelete: false, props: {} },
        group,
        server(0),
        server(1),
        r(TYPES.volume, "db-data", { size: 10 }, { retainOnDelete: true }),
        r(TYPES.container, "db-backups", { name: "db-backups" }, { protect: true }),
        r(TYPES.secGroupRule, "db-engine-0", { direction: "ingress", protocol: "tcp", portRangeMin: 5432, portRangeMax: 5432, remoteIpPrefix: "10.0.0.0/8" }),
        r(TYPES.secGroupRule, "db-engine-1", { direction: "ingress", protocol: "tcp", portRangeMin: 5432, portRangeMax: 5432, remoteIpPrefix: "2001:db8::/32" }),
        r(TYPES.secGroupRule, "db-cluster", { direction: "ingress", protocol: "udp", portRangeMin: 5404, portRangeMax: 5406, remoteGroupId: "sg-db" }),
        r(TYPES.remoteCommand, "db-pacemaker-configure", { create: `sudo bash -s <<'EOF'\n${PCS_SCRIPT}\nEOF\n` }),
    ];
}

// ---------------------------------------------------------------------------------------------

describe("policy pack rules", () => {
    let dev: StackRun;
    let devResources: CheckedResource[];
    before(async () => {
        dev = await runStack("Pulumi.dev.yaml");
        devResources = dev.resources.map(fromRecorded);
    });

    it("every policy has a name, a description and a check, and names are unique", () => {
        assert.equal(POLICIES.length, 6);
        assert.equal(new Set(POLICIES.map((p) => p.name)).size, POLICIES.length);
        for (const p of POLICIES) assert.ok(p.description.length > 20 && typeof p.check === "function");
    });

    describe("our own example stacks pass every policy", () => {
        it("Pulumi.dev.yaml (control plane)", () => {
            assert.ok(devResources.length > 20);
            assertNone(checkAll(devResources, dev.config));
        });

        it("Pulumi.my-first-db.yaml (database)", async function () {
            const db = await runStack("Pulumi.my-first-db.yaml");
            if (!db.resources.some((r) => r.type === TYPES.database)) this.skip(); // the database stack is not written yet
            assertNone(checkAll(db.resources.map(fromRecorded), db.config));
        });

        it("the database fixture", () => {
            assertNone(checkAll(databaseFixture(), DB_CONFIG));
        });
    });

    describe("(a) no-public-admin-ports", () => {
        const check: StackPolicy = noPublicAdminPorts;
        let ssh: CheckedResource;
        before(() => {
            ssh = first(devResources, TYPES.secGroupRule, (r) => r.props["portRangeMin"] === 22 && typeof r.props["remoteIpPrefix"] === "string");
        });

        it("passes: the dev stack's bastion SSH is open to the operators' CIDRs only", () => {
            assertNone(check(devResources, dev.config));
        });

        it("fails: the bastion SSH rule opened to 0.0.0.0/0", () => {
            const v = check(changed(devResources, ssh.name, (r) => withProps(r, { remoteIpPrefix: "0.0.0.0/0" })), dev.config);
            assertOne(v, ssh.name, /SSH \(tcp 22\).*whole Internet/);
        });

        it("fails: a rule to ::/0, or with neither prefix nor group, or any protocol and no port range", () => {
            for (const props of [
                { protocol: "udp", portRangeMin: 5405, portRangeMax: 5405, remoteIpPrefix: "::/0", ethertype: "IPv6" },
                { protocol: "tcp", portRangeMin: 2224, portRangeMax: 2224 },
                { remoteIpPrefix: "0.0.0.0/0" },
                { protocol: "tcp", portRangeMin: 8000, portRangeMax: 9000, remoteIpPrefix: "0.0.0.0/0" },
            ]) {
                const v = check([...devResources, extraRule(ssh, "crafted", props)], dev.config);
                assertOne(v, "crafted", /whole Internet/);
            }
        });

        it("passes: public HTTPS, an egress rule, ICMP, an admin port from a CIDR or a group", () => {
            const extras = [
                extraRule(ssh, "https", { protocol: "tcp", portRangeMin: 443, portRangeMax: 443, remoteIpPrefix: "0.0.0.0/0" }),
                extraRule(ssh, "egress", { direction: "egress", remoteIpPrefix: "0.0.0.0/0" }),
                extraRule(ssh, "icmp", { protocol: "icmp", remoteIpPrefix: "0.0.0.0/0" }),
                extraRule(ssh, "corosync-udp-5404-from-group", { protocol: "udp", portRangeMin: 5404, portRangeMax: 5406, remoteGroupId: "sg-db" }),
                extraRule(ssh, "consul-tcp-from-subnet", { protocol: "tcp", portRangeMin: 8300, portRangeMax: 8302, remoteIpPrefix: "10.42.0.0/24" }),
                extraRule(ssh, "udp-22-is-not-ssh", { protocol: "udp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: "0.0.0.0/0" }),
            ];
            assertNone(check([...devResources, ...extras], dev.config));
        });

        it("does not decide on a rule whose prefix is not known yet (preview)", () => {
            assertNone(check(changed(devResources, ssh.name, (r) => withProps(r, { remoteIpPrefix: UNKNOWN })), dev.config));
        });
    });

    describe("(b) engine-port-only-from-allowed-cidrs", () => {
        const check = enginePortOnlyFromAllowedCidrs;

        it("passes: the dev stack opens no engine port; the fixture opens 5432 to its allowedCidrs only", () => {
            assertNone(check(devResources, dev.config));
            assertNone(check(databaseFixture(), DB_CONFIG));
        });

        it("passes: a narrower CIDR inside an allowed one", () => {
            const v = check(changed(databaseFixture(), "db-engine-0", (r) => withProps(r, { remoteIpPrefix: "10.1.2.0/24" })), DB_CONFIG);
            assertNone(v);
        });

        it("fails: 5432 from a CIDR outside dbaas:allowedCidrs, from 0.0.0.0/0, and from everyone", () => {
            for (const [props, pattern] of [
                [{ remoteIpPrefix: "192.0.2.0/24" }, /192\.0\.2\.0\/24, which is not within dbaas:allowedCidrs/],
                [{ remoteIpPrefix: "0.0.0.0/0" }, /to 0\.0\.0\.0\/0/],
                [{ remoteIpPrefix: undefined }, /everyone/],
                [{ remoteIpPrefix: "10.0.0.0/7" }, /not within/],
            ] as const) {
                const v = check(changed(databaseFixture(), "db-engine-0", (r) => withProps(r, props)), DB_CONFIG);
                assertOne(v, "db-engine-0", pattern);
            }
        });

        it("fails: a MariaDB or all-ports rule in the dev stack, which has no dbaas:allowedCidrs", () => {
            const like = first(devResources, TYPES.secGroupRule);
            const v = check([...devResources, extraRule(like, "crafted-mariadb", { protocol: "tcp", portRangeMin: 3306, portRangeMax: 3306, remoteIpPrefix: "198.51.100.0/24" })], dev.config);
            assertOne(v, "crafted-mariadb", /MariaDB 3306.*no \(valid\) dbaas:allowedCidrs/);
        });

        it("reads the allowed CIDRs from the stack file when the pack runs (PULUMI_CONFIG, else Pulumi.<stack>.yaml)", () => {
            const dir = mkdtempSync(join(tmpdir(), "policy-"));
            writeFileSync(join(dir, "Pulumi.my-first-db.yaml"), "config:\n  dbaas:allowedCidrs:\n    - 10.0.0.0/8\n  dbaas:deleteData: false\n  dbaas:secret:\n    secure: AAAA\n");
            const urns = databaseFixture().map((r) => r.urn);
            const fromFile = loadStackConfig(urns, { env: {}, searchDirs: [dir] });
            assert.deepEqual(fromFile.config, { "dbaas:allowedCidrs": '["10.0.0.0/8"]', "dbaas:deleteData": "false" });
            const fromEnv = loadStackConfig(urns, { env: { PULUMI_CONFIG: '{"dbaas:allowedCidrs":"[\\"192.0.2.0/24\\"]"}' }, searchDirs: [dir] });
            assert.equal(fromEnv.source, "PULUMI_CONFIG");
            assert.match(loadStackConfig(urns, { env: {}, searchDirs: [tmpdir()] }).source, /^none/);
            // The repository's own stack file is found from the pack's directory.
            const own = loadStackConfig([urnOf("dev", "x:y:Z", "n")], { env: {} });
            assert.equal(own.config["dbaas:kind"], "control-plane");
        });

        it("cidrWithin handles IPv4, IPv6 and mismatches", () => {
            assert.ok(cidrWithin("10.1.0.0/16", "10.0.0.0/8"));
            assert.ok(cidrWithin("10.1.2.3", "10.0.0.0/8"));
            assert.ok(!cidrWithin("11.0.0.0/16", "10.0.0.0/8"));
            assert.ok(!cidrWithin("0.0.0.0/0", "10.0.0.0/8"));
            assert.ok(cidrWithin("2001:db8:1::/48", "2001:db8::/32"));
            assert.ok(cidrWithin("::ffff:10.0.0.1", "::ffff:0.0.0.0/96"));
            assert.ok(!cidrWithin("2001:db9::/48", "2001:db8::/32"));
            assert.ok(!cidrWithin("10.0.0.0/8", "::/0"));
            assert.ok(!cidrWithin("not-a-cidr", "10.0.0.0/8"));
        });
    });

    describe("(c) data-is-protected", () => {
        const check = dataIsProtected;

        it("passes: the fixture's volume is retained on delete and its backup container protected", () => {
            assertNone(check(databaseFixture(), DB_CONFIG));
        });

        it("fails: the volume with retainOnDelete dropped", () => {
            const v = check(changed(databaseFixture(), "db-data", (r) => ({ ...r, retainOnDelete: false })), DB_CONFIG);
            assertOne(v, "db-data", /data volume is neither protected nor retained/);
        });

        it("fails: the backup container unprotected, even with dbaas:deleteData=true", () => {
            const resources = changed(databaseFixture(), "db-backups", (r) => ({ ...r, protect: false }));
            assertOne(check(resources, DB_CONFIG), "db-backups", /backup container/);
            assertOne(check(resources, { ...DB_CONFIG, "dbaas:deleteData": "true" }), "db-backups", /backup container/);
        });

        it("passes: an unprotected volume when the stack sets dbaas:deleteData=true on purpose", () => {
            const resources = changed(databaseFixture(), "db-data", (r) => ({ ...r, retainOnDelete: false }));
            assertNone(check(resources, { ...DB_CONFIG, "dbaas:deleteData": "true" }));
        });
    });

    describe("(d) no-secrets-in-user-data", () => {
        const check = noSecretsInUserData;
        let server: CheckedResource;
        before(() => {
            server = first(devResources, TYPES.instance, (r) => r.name.includes("server"));
        });
        const append = (text: string) => (r: CheckedResource) => withProps(r, { userData: `${String(r.props["userData"])}\n${text}\n` });

        it("passes: the dev stack's real cloud-init (servers and bastion)", () => {
            assert.ok(devResources.filter((r) => r.type === TYPES.instance).every((r) => typeof r.props["userData"] === "string"));
            assertNone(check(devResources, dev.config));
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
                const v = check(changed(devResources, server.name, append(text)), dev.config);
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
            assertNone(check(changed(devResources, server.name, append(texts.join("\n"))), dev.config));
        });
    });

    describe("(e) database-servers-anti-affinity", () => {
        const check = databaseServersAntiAffinity;

        it("passes: the dev stack's servers share one anti-affinity group (the bastion is exempt); so do the fixture's", () => {
            assertNone(check(devResources, dev.config));
            assertNone(check(databaseFixture(), DB_CONFIG));
        });

        it("fails: the dev stack's server group turned into affinity", () => {
            const group = first(devResources, TYPES.serverGroup);
            const v = check(changed(devResources, group.name, (r) => withProps(r, { policies: ["soft-anti-affinity"] })), dev.config);
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
            assertNone(check(devResources, dev.config));
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

    describe("on Pulumi.my-first-db.yaml: the real database registrations, one crafted change each", () => {
        let db: StackRun;
        let resources: CheckedResource[];
        before(async function () {
            db = await runStack("Pulumi.my-first-db.yaml");
            resources = db.resources.map(fromRecorded);
            if (!resources.some((r) => r.type === TYPES.database)) this.skip();
        });
        const named = (type: string, filter: (r: CheckedResource) => boolean = () => true) => first(resources, type, filter).name;

        it("passes as registered", () => {
            assertNone(checkAll(resources, db.config));
        });

        it("(a) fails: a node's SSH rule opened to 0.0.0.0/0", () => {
            const ssh = named(TYPES.secGroupRule, (r) => r.props["portRangeMin"] === 22);
            const v = noPublicAdminPorts(changed(resources, ssh, (r) => withProps(r, { remoteIpPrefix: "0.0.0.0/0", remoteGroupId: undefined })), db.config);
            assertOne(v, ssh, /SSH/);
        });

        it("(b) fails: the engine rule opened to a network outside dbaas:allowedCidrs", () => {
            const engine = named(TYPES.secGroupRule, (r) => r.props["portRangeMin"] === 5432);
            const v = enginePortOnlyFromAllowedCidrs(changed(resources, engine, (r) => withProps(r, { remoteIpPrefix: "192.0.2.0/24", remoteGroupId: undefined })), db.config);
            assertOne(v, engine, /not within dbaas:allowedCidrs/);
        });

        it("(c) fails: protect and retainOnDelete dropped on the data volume", () => {
            const volume = named(TYPES.volume);
            const v = dataIsProtected(changed(resources, volume, (r) => ({ ...r, protect: false, retainOnDelete: false })), db.config);
            assertOne(v, volume, /neither protected nor retained/);
        });

        it("(d) fails: a password written into a node's user data", () => {
            const node = named(TYPES.instance);
            const v = noSecretsInUserData(changed(resources, node, (r) => withProps(r, { userData: `${String(r.props["userData"])}\nruncmd:\n  - echo 'PGPASSWORD=Tr0ub4dor-and-3' > /root/.pgenv\n` })), db.config);
            assertOne(v, node, /"PGPASSWORD"/);
        });

        it("(e) fails: a node without scheduler hints", () => {
            const node = named(TYPES.instance);
            const v = databaseServersAntiAffinity(changed(resources, node, (r) => withProps(r, { schedulerHints: [] })), db.config);
            assertOne(v, node, /no schedulerHints group/);
        });

        it("(f) fails: the configure command with stonith-enabled=false", () => {
            const configure = named(TYPES.remoteCommand, (r) => /stonith-enabled=true/.test(String(r.props["create"] ?? "") + String(r.props["stdin"] ?? "")));
            const flip = (v: unknown) => (typeof v === "string" ? v.replace(/stonith-enabled=true/g, "stonith-enabled=false") : v);
            const v = fencingEnabled(changed(resources, configure, (r) => withProps(r, { create: flip(r.props["create"]), stdin: flip(r.props["stdin"]) })), db.config);
            assertOne(v, configure, /stonith-enabled=false/);
        });
    });

    describe("adapters", () => {
        it("fromPolicyResource: reads through an unknown-throwing proxy, keeps protect, parent and dependencies", () => {
            const thrower = new Proxy({ known: "x", nested: { computed: 1 } } as Record<string, unknown>, {
                get: (obj, key) => {
                    if (key === "nested") return new Proxy(obj["nested"] as object, { get: () => { throw new Error("unknown value"); } });
                    return obj[key as string];
                },
            });
            const parent = { urn: "urn:pulumi:s::p::dbaas:index:Database::db" };
            const r = fromPolicyResource({
                type: TYPES.volume, name: "v", urn: "urn:pulumi:s::p::v", props: thrower, parent, dependencies: [parent],
                opts: { protect: true, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } },
            } as unknown as Parameters<typeof fromPolicyResource>[0]);
            assert.deepEqual(r.props, { known: "x", nested: { computed: UNKNOWN } });
            assert.equal(r.protect, true);
            assert.equal(r.retainOnDelete, false);
            assert.equal(r.parent, parent.urn);
            assert.deepEqual(r.dependsOn, [parent.urn]);
            assert.deepEqual(plainCopy([1, { a: [2] }]), [1, { a: [2] }]);
        });

        it("fromRecorded: uses the inputs with secrets in clear when the harness has them", () => {
            const devServer = dev.resources.find((r) => r.type === TYPES.instance);
            assert.ok(devServer);
            assert.equal(fromRecorded(devServer).props, devServer.rawInputs);
        });
    });

    describe("the policy pack, served as the Pulumi CLI runs it (gRPC analyzer)", () => {
        /** What the engine sends for a value it does not know yet. */
        const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

        function analyzerResource(type: string, name: string, props: Record<string, unknown>, protect: boolean): analyzerPb.AnalyzerResource {
            const r = new analyzerPb.AnalyzerResource();
            r.setType(type);
            r.setName(name);
            r.setUrn(urnOf("my-first-db", type, name));
            r.setProperties(Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]));
            const opts = new analyzerPb.AnalyzerResourceOptions();
            opts.setProtect(protect);
            r.setOptions(opts);
            return r;
        }

        it("reports mandatory violations with the resource's URN, reads dbaas:allowedCidrs from Pulumi.my-first-db.yaml, survives unknowns", async () => {
            const pack = spawn(process.execPath, ["-e", 'require("ts-node").register({ transpileOnly: true, project: "policy/tsconfig.json" }); require("./policy/index.ts");'], {
                cwd: join(__dirname, ".."),
                env: { ...process.env, PULUMI_CONFIG: "" },
            });
            let stderr = "";
            pack.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            try {
                const port = await new Promise<string>((resolve, reject) => {
                    pack.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
                    pack.once("exit", (code) => reject(new Error(`the policy pack exited (${code}): ${stderr}`)));
                });
                const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
                const request = new analyzerPb.AnalyzeStackRequest();
                request.setResourcesList([
                    analyzerResource(TYPES.secGroupRule, "ssh-world", { direction: "ingress", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: "0.0.0.0/0" }, false),
                    analyzerResource(TYPES.secGroupRule, "not-known-yet", { direction: "ingress", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: UNKNOWN_SENTINEL }, false),
                    analyzerResource(TYPES.secGroupRule, "pg", { direction: "ingress", protocol: "tcp", portRangeMin: 5432, portRangeMax: 5432, remoteIpPrefix: "192.0.2.0/24" }, false),
                    analyzerResource(TYPES.volume, "data", { size: 10 }, false),
                    analyzerResource(TYPES.container, "backups", { name: "backups" }, true),
                ]);
                const response = await new Promise<analyzerPb.AnalyzeResponse>((resolve, reject) =>
                    client.analyzeStack(request, (err, res) => (err || !res ? reject(err ?? new Error("no response")) : resolve(res))),
                );
                client.close();
                const diagnostics = response.getDiagnosticsList().map((d) => ({
                    policy: d.getPolicyname(),
                    mandatory: d.getEnforcementlevel() === analyzerPb.EnforcementLevel.MANDATORY,
                    name: d.getUrn().split("::").pop(),
                    message: d.getMessage(),
                }));
                assert.deepEqual(
                    diagnostics.map((d) => [d.policy, d.name, d.mandatory]),
                    [
                        ["no-public-admin-ports", "ssh-world", true],
                        ["engine-port-only-from-allowed-cidrs", "pg", true],
                        ["data-is-protected", "data", true],
                    ],
                );
                assert.match(diagnostics[1].message, /not within dbaas:allowedCidrs \(/);
            } finally {
                pack.kill();
            }
        });
    });
});
