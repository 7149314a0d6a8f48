/**
 * The policy pack's rules (policy/rules/), run on what the engine would send them: the offline
 * plan's registrations of our own example stacks (passing cases), with one crafted change each
 * (failing cases). This file: the pack as a whole, and the network rules (a) and (b).
 */
import * as assert from "assert";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { runStack } from "../plan/run";
import { covers } from "../common/ports";
import { fromRecorded } from "../policy/adapt";
import { ADMIN_PORTS, ENGINE_PORTS, POLICIES, TYPES, UNKNOWN, checkAll, cidrWithin, type CheckedResource, type StackPolicy } from "../policy/rules";
import { enginePortOnlyFromAllowedCidrs, noPublicAdminPorts } from "../policy/rules";
import { loadStackConfig } from "../policy/stackConfig";
import { urnOf, withProps, changed, first, extraRule, assertNone, assertOne, DB_CONFIG, databaseFixture, useCheckedStack, assertPasses } from "./support/policy";

describe("policy pack rules", () => {
    const { run: dev, resources: devResources } = useCheckedStack("Pulumi.dev.yaml");

    it("every policy has a name, a description and a check, and names are unique", () => {
        assert.equal(POLICIES.length, 6);
        assert.equal(new Set(POLICIES.map((p) => p.name)).size, POLICIES.length);
        for (const p of POLICIES) assert.ok(p.description.length > 20 && typeof p.check === "function");
    });

    describe("our own example stacks pass every policy", () => {
        it("Pulumi.dev.yaml (control plane)", () => {
            assert.ok(devResources().length > 20);
            assertNone(checkAll(devResources(), dev().config));
        });

        for (const file of ["Pulumi.my-first-db.yaml", "Pulumi.my-first-mariadb.yaml"]) {
            it(`${file} (database)`, async () => {
                const db = await runStack(file);
                assert.ok(db.resources.some((r) => r.type === TYPES.database));
                assertNone(checkAll(db.resources.map(fromRecorded), db.config));
            });
        }

        it("the database fixture", () => {
            assertNone(checkAll(databaseFixture(), DB_CONFIG));
        });
    });

    describe("(a) no-public-admin-ports", () => {
        const check: StackPolicy = noPublicAdminPorts;
        let ssh: CheckedResource;
        before(() => {
            ssh = first(devResources(), TYPES.secGroupRule, (r) => r.props["portRangeMin"] === 22 && typeof r.props["remoteIpPrefix"] === "string");
        });

        it("passes: the dev stack's bastion SSH is open to the operators' CIDRs only", () => {
            assertNone(check(devResources(), dev().config));
        });

        it("fails: the bastion SSH rule opened to 0.0.0.0/0", () => {
            const v = check(changed(devResources(), ssh.name, (r) => withProps(r, { remoteIpPrefix: "0.0.0.0/0" })), dev().config);
            assertOne(v, ssh.name, /SSH \(tcp 22\).*whole Internet/);
        });

        it("fails: a rule to ::/0, or with neither prefix nor group, or any protocol and no port range", () => {
            for (const props of [
                { protocol: "udp", portRangeMin: 5405, portRangeMax: 5405, remoteIpPrefix: "::/0", ethertype: "IPv6" },
                { protocol: "tcp", portRangeMin: 2224, portRangeMax: 2224 },
                { remoteIpPrefix: "0.0.0.0/0" },
                { protocol: "tcp", portRangeMin: 8000, portRangeMax: 9000, remoteIpPrefix: "0.0.0.0/0" },
            ]) {
                const v = check([...devResources(), extraRule(ssh, "crafted", props)], dev().config);
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
            assertNone(check([...devResources(), ...extras], dev().config));
        });

        it("fails: Consul's gRPC ports 8502 and 8503, which the control plane opens inside the network, opened to the world", () => {
            for (const port of [8502, 8503]) {
                const v = check([...devResources(), extraRule(ssh, `grpc-${port}`, { protocol: "tcp", portRangeMin: port, portRangeMax: port, remoteIpPrefix: "0.0.0.0/0" })], dev().config);
                assertOne(v, `grpc-${port}`, /consul http\(s\) \+ grpc \(tcp 8500-8503\).*whole Internet/);
            }
        });

        it("knows every port the program opens: each rule of every example stack is an engine port or an admin port of the policy", async () => {
            const runs = [dev(), await runStack("Pulumi.my-first-db.yaml"), await runStack("Pulumi.my-first-db.yaml", { overrides: { "dbaas:engine": "mariadb", "dbaas:version": "10.11", "dbaas:nodes": "3" } })];
            const enginePorts = ENGINE_PORTS.map((e) => e.port);
            let rules = 0;
            for (const run of runs) {
                for (const r of run.resources.filter((x) => x.type === TYPES.secGroupRule)) {
                    rules++;
                    const { protocol, portRangeMin: from, portRangeMax: to } = r.inputs as { protocol: string; portRangeMin: number; portRangeMax: number };
                    const engine = protocol === "tcp" && from === to && enginePorts.includes(from);
                    assert.ok(engine || ADMIN_PORTS.some((a) => covers(a, protocol, from, to)), `${run.stack}: ${r.name} opens ${protocol} ${from}-${to}, which the policy's admin-port table does not know`);
                }
            }
            assert.ok(rules > 20);
            // And the check can fail: a port the program would open without telling the policy.
            assert.ok(!ADMIN_PORTS.some((a) => covers(a, "tcp", 9000, 9000)));
        });

        it("does not decide on a rule whose prefix is not known yet (preview)", () => {
            assertNone(check(changed(devResources(), ssh.name, (r) => withProps(r, { remoteIpPrefix: UNKNOWN })), dev().config));
        });
    });

    describe("(b) engine-port-only-from-allowed-cidrs", () => {
        const check = enginePortOnlyFromAllowedCidrs;

        it("passes: the dev stack opens no engine port; the fixture opens 5432 to its allowedCidrs only", () => {
            assertPasses(check, [devResources(), dev().config], [databaseFixture(), DB_CONFIG]);
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
            const like = first(devResources(), TYPES.secGroupRule);
            const v = check([...devResources(), extraRule(like, "crafted-mariadb", { protocol: "tcp", portRangeMin: 3306, portRangeMax: 3306, remoteIpPrefix: "198.51.100.0/24" })], dev().config);
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

});
