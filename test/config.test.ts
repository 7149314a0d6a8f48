import * as assert from "node:assert/strict";
import {
    CONFIG_KEYS,
    ConfigError,
    ConfigProblem,
    RawConfig,
    StackConfig,
    parseStackConfig,
} from "../config";
import { ENGINE_NAMES, ENGINES } from "../engines";

const CONTROL_PLANE: RawConfig = {
    "dbaas:kind": "control-plane",
    "dbaas:flavor": "m1.medium",
    "dbaas:image": "debian-12-genericcloud-amd64",
    "dbaas:externalNetwork": "public",
    "dbaas:operatorCidrs": '["203.0.113.0/24", "2001:db8::/32"]',
};

const DATABASE: RawConfig = {
    "dbaas:kind": "database", "dbaas:flavor": "m1.large", "dbaas:image": "debian-12-genericcloud-amd64",
    "dbaas:controlPlane": "acme/cloud-dbaas/control-plane", "dbaas:engine": "postgresql", "dbaas:version": "16",
    "dbaas:name": "my-first-db", "dbaas:sizeGb": "10", "dbaas:nodes": "2", "dbaas:allowedCidrs": '["10.0.0.0/8"]',
    "dbaas:floatingIpPool": "public", "dbaas:authUrl": "https://keystone.example.org:5000/v3",
};

/** The base config with some keys replaced (a string) or removed (undefined). */
function withKeys(base: RawConfig, changes: Record<string, string | undefined>): RawConfig {
    const out: Record<string, string> = { ...base };
    for (const [k, v] of Object.entries(changes)) {
        if (v === undefined) delete out[k];
        else out[k] = v;
    }
    return out;
}

/** Parses, expecting a ConfigError; returns it. */
function parseError(raw: RawConfig): ConfigError {
    let result: StackConfig | undefined;
    try {
        result = parseStackConfig(raw);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
        assert.ok(e.problems.length > 0, "a ConfigError lists at least one problem");
        return e;
    }
    assert.fail(`expected a ConfigError, parsed ${JSON.stringify(result)}`);
}

/**
 * Expects `raw` to be rejected with a problem on `key` whose value is `value` (undefined: missing)
 * and whose message matches `pattern`; the error's message names the key and the bad value on one line.
 * Returns the problems on that key.
 */
function expectProblem(raw: RawConfig, key: string, value: string | undefined, pattern: RegExp): ConfigProblem[] {
    const err = parseError(raw);
    const mine = err.problems.filter((p) => p.key === key);
    assert.ok(mine.length > 0, `no problem on ${key}; problems:\n${err.message}`);
    for (const p of mine) assert.equal(p.value, value);
    assert.ok(mine.some((p) => pattern.test(p.message)), `no problem on ${key} matches ${pattern}:\n${err.message}`);
    const lines = err.message.split("\n").filter((l) => l.startsWith(`${key} `));
    assert.ok(lines.length > 0, `message has no line for ${key}:\n${err.message}`);
    for (const line of lines) {
        if (value === undefined) assert.ok(line.startsWith(`${key} is required: `), line);
        else assert.ok(line.startsWith(`${key} = ${JSON.stringify(value)}: `), line);
    }
    return mine;
}

describe("config: parseStackConfig", () => {
    describe("valid configs", () => {
        it("parses a control-plane config and applies every default", () => {
            const cfg = parseStackConfig(CONTROL_PLANE);
            assert.deepEqual(cfg, {
                kind: "control-plane", flavor: "m1.medium", image: "debian-12-genericcloud-amd64", sshUser: "debian",
                externalNetwork: "public", operatorCidrs: ["203.0.113.0/24", "2001:db8::/32"], servers: 3, subnetCidr: "10.42.0.0/24",
                dnsNameservers: ["9.9.9.9", "149.112.112.112"], bastionFlavor: "m1.medium", datacenter: "dc1",
                consulVersion: "1.20.2", nomadVersion: "1.9.4",
            });
            assert.ok(!("existingNetwork" in cfg));
        });

        it("parses a control-plane config with every optional key set, converting types", () => {
            const cfg = parseStackConfig(
                withKeys(CONTROL_PLANE, {
                    "dbaas:sshUser": "ops_user", "dbaas:servers": "5", "dbaas:existingNetwork": '{"networkId": "net-1", "subnetId": "sub-1"}',
                    "dbaas:dnsNameservers": '["1.1.1.1"]', "dbaas:bastionFlavor": "m1.small", "dbaas:datacenter": "par-1",
                    "dbaas:consulVersion": "1.21.0", "dbaas:nomadVersion": "1.10.0", "dbaas:operatorCidrs": '["2001:DB8:0:0::/64", "198.51.100.7/32"]',
                }),
            );
            assert.equal(cfg.kind, "control-plane");
            if (cfg.kind !== "control-plane") return;
            assert.equal(cfg.servers, 5);
            assert.deepEqual(cfg.existingNetwork, { networkId: "net-1", subnetId: "sub-1" });
            assert.equal(cfg.subnetCidr, undefined);
            assert.deepEqual(cfg.dnsNameservers, ["1.1.1.1"]);
            assert.equal(cfg.bastionFlavor, "m1.small");
            assert.equal(cfg.datacenter, "par-1");
            assert.equal(cfg.sshUser, "ops_user");
            assert.deepEqual(cfg.operatorCidrs, ["2001:db8::/64", "198.51.100.7/32"], "CIDRs are normalized");
        });

        it("parses a PostgreSQL database config (my-first-db, 10 GB, 2 nodes) with defaults", () => {
            const cfg = parseStackConfig(DATABASE);
            assert.deepEqual(cfg, {
                kind: "database", flavor: "m1.large", image: "debian-12-genericcloud-amd64", sshUser: "debian",
                controlPlane: "acme/cloud-dbaas/control-plane", engine: "postgresql", version: { major: "16", minor: "16.14", pinnedByProgram: true, imageTag: "16.14-trixie", image: "docker.io/library/postgres:16.14-trixie" }, name: "my-first-db",
                sizeGb: 10, nodes: 2, allowedCidrs: ["10.0.0.0/8"], floatingIpPool: "public", fstype: "xfs", deleteData: false, schemas: [], users: [],
                authUrl: "https://keystone.example.org:5000/v3", region: "RegionOne",
                backup: { schedule: "0 3 * * *", daily: 7, weekly: 4, drillSchedule: "30 4 * * 0" },
            });
            assert.ok(Object.isFrozen(cfg));
        });

        it("parses a MariaDB database with the optional keys set", () => {
            const cfg = parseStackConfig(
                withKeys(DATABASE, {
                    "dbaas:engine": "mariadb", "dbaas:version": "10.11", "dbaas:nodes": "3", "dbaas:sizeGb": "16384",
                    "dbaas:fstype": "ext4", "dbaas:deleteData": "true", "dbaas:volumeType": "ssd", "dbaas:controlPlane": "control-plane",
                }),
            );
            assert.equal(cfg.kind, "database");
            if (cfg.kind !== "database") return;
            const { engine, version, nodes, sizeGb, fstype, deleteData, volumeType, controlPlane } = cfg;
            assert.deepEqual(
                { engine, version, nodes, sizeGb, fstype, deleteData, volumeType, controlPlane },
                { engine: "mariadb", version: { major: "10.11", minor: "10.11.20", pinnedByProgram: true, imageTag: "10.11.20-jammy", image: "docker.io/library/mariadb:10.11.20-jammy" }, nodes: 3, sizeGb: 16384, fstype: "ext4", deleteData: true, volumeType: "ssd", controlPlane: "control-plane" },
            );
        });

        it("parses schemas and extra users", () => {
            const cfg = parseStackConfig(withKeys(DATABASE, {
                "dbaas:schemas": '["app", "reporting"]', "dbaas:users": '[{"name": "app_rw", "access": "write"}, {"name": "reporting", "access": "read"}]',
            }));
            assert.ok(cfg.kind === "database");
            assert.deepEqual([cfg.schemas, cfg.users], [["app", "reporting"], [{ name: "app_rw", access: "write" }, { name: "reporting", access: "read" }]]);
            const none = parseStackConfig(DATABASE);
            assert.ok(none.kind === "database");
            assert.deepEqual([none.schemas, none.users], [[], []]);
        });

        it("ignores keys of other namespaces entirely", () => {
            const cfg = parseStackConfig(
                withKeys(DATABASE, { "openstack:cloud": "mycloud", "openstack:sizeGB": "not ours", "pulumi:tags": "{}", "cloud-dbaas:whatever": "x" }),
            );
            assert.deepEqual(cfg, parseStackConfig(DATABASE));
        });
    });

    describe("missing and unknown keys", () => {
        it("reports a missing required key with what is accepted", () => {
            const [p] = expectProblem(withKeys(DATABASE, { "dbaas:name": undefined }), "dbaas:name", undefined, /DNS label/);
            assert.match(p!.message, /^is required: /);
        });

        it("reports a missing kind together with every other detectable problem", () => {
            const err = parseError(withKeys(DATABASE, { "dbaas:kind": undefined, "dbaas:sizeGb": "ten", "dbaas:flavor": undefined }));
            const keys = err.problems.map((p) => p.key);
            assert.ok(keys.includes("dbaas:kind"), err.message);
            assert.ok(keys.includes("dbaas:sizeGb"), err.message);
            assert.ok(keys.includes("dbaas:flavor"), err.message);
        });

        it("reports a bad kind with a suggestion, and still checks the other keys", () => {
            const raw = withKeys(DATABASE, { "dbaas:kind": "dtabase", "dbaas:nodes": "4" });
            expectProblem(raw, "dbaas:kind", "dtabase", /"control-plane", "database".*did you mean "database"/);
            expectProblem(raw, "dbaas:nodes", "4", /2 or 3/);
        });

        it("rejects an unknown dbaas: key and suggests the closest known key", () => {
            expectProblem(withKeys(DATABASE, { "dbaas:sizeGB": "20" }), "dbaas:sizeGB", "20", /did you mean dbaas:sizeGb\?/);
        });

        it("rejects an unknown dbaas: key with no close key by listing the known keys", () => {
            const [p] = expectProblem(withKeys(DATABASE, { "dbaas:colour": "blue" }), "dbaas:colour", "blue", /known keys: .*allowedCidrs/);
            assert.doesNotMatch(p!.message, /did you mean/);
        });

        it("rejects a key of the other stack kind (control-plane key in a database stack)", () => {
            expectProblem(withKeys(DATABASE, { "dbaas:servers": "3" }), "dbaas:servers", "3", /not a key of a database stack/);
        });

        it("rejects a key of the other stack kind (database key in a control-plane stack)", () => {
            expectProblem(withKeys(CONTROL_PLANE, { "dbaas:engine": "postgresql" }), "dbaas:engine", "postgresql", /not a key of a control-plane stack/);
        });

        it("reports several bad keys at once in one ConfigError", () => {
            const err = parseError(
                withKeys(DATABASE, {
                    "dbaas:name": "My_DB",
                    "dbaas:sizeGb": "0",
                    "dbaas:nodes": "1",
                    "dbaas:engine": "oracle",
                    "dbaas:allowedCidrs": '["0.0.0.0/0"]',
                    "dbaas:sizeGB": "10",
                    "dbaas:floatingIpPool": undefined,
                }),
            );
            const expected: Array<[string, string | undefined]> = [
                ["dbaas:name", "My_DB"],
                ["dbaas:sizeGb", "0"],
                ["dbaas:nodes", "1"],
                ["dbaas:engine", "oracle"],
                ["dbaas:allowedCidrs", '["0.0.0.0/0"]'],
                ["dbaas:sizeGB", "10"],
                ["dbaas:floatingIpPool", undefined],
            ];
            for (const [key, value] of expected) {
                assert.ok(err.problems.some((p) => p.key === key && p.value === value), `${key} missing from:\n${err.message}`);
                const line = value === undefined ? `${key} is required: ` : `${key} = ${JSON.stringify(value)}: `;
                assert.ok(err.message.split("\n").some((l) => l.startsWith(line)), `no line "${line}" in:\n${err.message}`);
            }
            assert.equal(err.problems.length, expected.length, err.message);
            assert.equal(err.message.split("\n").length, err.problems.length);
        });
    });

    describe("dbaas:name", () => {
        const cases: Array<[string, string, RegExp]> = [
            ["uppercase", "My-db", /uppercase/],
            ["underscore", "my_db", /other than letters, digits and '-'/],
            ["leading digit", "1db", /does not start with a lowercase letter/],
            ["trailing '-'", "my-db-", /does not end with a letter or digit/],
            ["64 characters", `a${"b".repeat(63)}`, /64 characters.*at most 63/],
        ];
        for (const [what, value, pattern] of cases) {
            it(`rejects a name that is not a DNS label: ${what}`, () => {
                expectProblem(withKeys(DATABASE, { "dbaas:name": value }), "dbaas:name", value, pattern);
            });
        }
        it("accepts a 63-character name", () => {
            const name = `a${"b".repeat(62)}`;
            const cfg = parseStackConfig(withKeys(DATABASE, { "dbaas:name": name }));
            assert.equal(cfg.kind === "database" && cfg.name, name);
        });
    });

    describe("dbaas:sizeGb", () => {
        for (const value of ["0", "-1", "10.5", "1e3"]) {
            it(`rejects ${value}: not a positive whole number`, () => {
                expectProblem(withKeys(DATABASE, { "dbaas:sizeGb": value }), "dbaas:sizeGb", value, /whole number of GB from 1 to 16384/);
            });
        }
        it("rejects a size above the bound (16385)", () => {
            expectProblem(withKeys(DATABASE, { "dbaas:sizeGb": "16385" }), "dbaas:sizeGb", "16385", /from 1 to 16384/);
        });
        it("rejects a string where a number is expected (\"ten\")", () => {
            const err = parseError(withKeys(DATABASE, { "dbaas:sizeGb": "ten" }));
            assert.ok(err.message.includes('dbaas:sizeGb = "ten": a number is expected'), err.message);
            expectProblem(withKeys(DATABASE, { "dbaas:sizeGb": "ten" }), "dbaas:sizeGb", "ten", /number is expected.*whole number of GB from 1 to 16384/);
        });
    });

    describe("dbaas:engine and dbaas:version", () => {
        it("rejects an unknown engine, without also complaining about the version", () => {
            const raw = withKeys(DATABASE, { "dbaas:engine": "oracle", "dbaas:version": "19c" });
            expectProblem(raw, "dbaas:engine", "oracle", /"postgresql", "mariadb"/);
            assert.ok(!parseError(raw).problems.some((p) => p.key === "dbaas:version"));
        });
        it("rejects a PostgreSQL version it does not support (9.6), listing the engine's versions", () => {
            expectProblem(withKeys(DATABASE, { "dbaas:version": "9.6" }), "dbaas:version", "9.6", /not offered: accepted versions are 15, 16, 17, 18/);
        });
        it("rejects a MariaDB version it does not support (15), listing the engine's versions", () => {
            const raw = withKeys(DATABASE, { "dbaas:engine": "mariadb", "dbaas:version": "15" });
            expectProblem(raw, "dbaas:version", "15", /accepted versions are 10\.11, 11\.4, 11\.8/);
        });
        it("refuses end-of-life versions, naming the date and the versions accepted (PostgreSQL 14, MariaDB 10.6)", () => {
            expectProblem(withKeys(DATABASE, { "dbaas:version": "14" }), "dbaas:version", "14", /PostgreSQL 14 reached its end of life on 2026-11-12 .*accepted versions are 15, 16, 17, 18/);
            const raw = withKeys(DATABASE, { "dbaas:engine": "mariadb", "dbaas:version": "10.6" });
            expectProblem(raw, "dbaas:version", "10.6", /MariaDB 10\.6 reached its end of life on 2026-07-06 .*10\.11, 11\.4, 11\.8/);
        });
        it("takes a major version (the program pins the minor) or an exact minor, with the image it deploys", () => {
            const major = parseStackConfig(DATABASE);
            const exact = parseStackConfig(withKeys(DATABASE, { "dbaas:version": "16.9" }));
            assert.ok(major.kind === "database" && exact.kind === "database");
            assert.deepEqual([major.version.major, major.version.pinnedByProgram], ["16", true]);
            assert.deepEqual([exact.version.minor, exact.version.pinnedByProgram, exact.version.image], ["16.9", false, "docker.io/library/postgres:16.9-trixie"]);
        });
    });

    describe("dbaas:nodes and dbaas:servers", () => {
        for (const value of ["1", "4"]) {
            it(`rejects nodes ${value}`, () => {
                expectProblem(withKeys(DATABASE, { "dbaas:nodes": value }), "dbaas:nodes", value, /must be 2 or 3/);
            });
        }
        it("rejects servers 4", () => {
            expectProblem(withKeys(CONTROL_PLANE, { "dbaas:servers": "4" }), "dbaas:servers", "4", /3 or 5/);
        });
    });

    describe("schemas and users", () => {
        for (const [key, value, pattern] of [
            ["dbaas:schemas", '["App"]', /schema "App": a schema name is lowercase letters/],
            ["dbaas:schemas", '["app", "app"]', /listed twice/],
            ["dbaas:schemas", '["pg_catalog"]', /reserved/],
            ["dbaas:users", '[{"name": "ro", "access": "admin"}]', /access "admin" must be "read" or "write"/],
            ["dbaas:users", '[{"name": "postgres", "access": "read"}]', /reserved/],
            ["dbaas:users", '[{"name": "ro", "access": "read", "password": "x"}]', /unknown field\(s\) "password"/],
            ["dbaas:users", '[{"name": "ro", "access": "read"}, {"name": "ro", "access": "write"}]', /listed twice/],
            ["dbaas:users", '{"name": "ro"}', /not a list/],
        ] as const) {
            it(`rejects ${key} = ${value}`, () => {
                expectProblem(withKeys(DATABASE, { [key]: value }), key, value, pattern);
            });
        }
        it("rejects a user named like the database (its owner)", () => {
            const value = '[{"name": "orders", "access": "read"}]';
            expectProblem(withKeys(DATABASE, { "dbaas:name": "orders", "dbaas:users": value }), "dbaas:users", value, /owner/);
        });
    });

    describe("CIDR lists", () => {
        const malformed: Array<[string, RegExp]> = [
            ["300.1.1.1/24", /300.*above 255/],
            ["10.0.0.0/33", /prefix length "33".*0 to 32/],
            ["10.0.0.1/8", /host bits.*did you mean "10\.0\.0\.0\/8"/],
            ["banana", /"banana" is not a CIDR/],
        ];
        for (const [cidr, pattern] of malformed) {
            it(`rejects the malformed CIDR ${cidr} in allowedCidrs`, () => {
                const value = JSON.stringify([cidr]);
                expectProblem(withKeys(DATABASE, { "dbaas:allowedCidrs": value }), "dbaas:allowedCidrs", value, pattern);
            });
        }
        for (const cidr of ["0.0.0.0/0", "::/0"]) {
            it(`rejects ${cidr} in operatorCidrs`, () => {
                const value = JSON.stringify(["203.0.113.0/24", cidr]);
                expectProblem(
                    withKeys(CONTROL_PLANE, { "dbaas:operatorCidrs": value }),
                    "dbaas:operatorCidrs",
                    value,
                    /operator SSH and the Nomad\/Consul APIs must not be open to the world/,
                );
            });
        }
        it("rejects a /0 in allowedCidrs", () => {
            const value = '["0.0.0.0/0"]';
            expectProblem(withKeys(DATABASE, { "dbaas:allowedCidrs": value }), "dbaas:allowedCidrs", value, /must not be open to the whole Internet/);
        });
        it("rejects a value that is not a JSON list, showing the expected form", () => {
            expectProblem(withKeys(DATABASE, { "dbaas:allowedCidrs": "10.0.0.0/8" }), "dbaas:allowedCidrs", "10.0.0.0/8", /JSON list of strings is expected, e\.g\. '\["/);
        });
        it("rejects an empty operatorCidrs list", () => {
            expectProblem(withKeys(CONTROL_PLANE, { "dbaas:operatorCidrs": "[]" }), "dbaas:operatorCidrs", "[]", /at least one CIDR/);
        });
        it("rejects subnetCidr outside RFC 1918 and subnetCidr together with existingNetwork", () => {
            expectProblem(withKeys(CONTROL_PLANE, { "dbaas:subnetCidr": "8.8.8.0/24" }), "dbaas:subnetCidr", "8.8.8.0/24", /RFC 1918/);
            const raw = withKeys(CONTROL_PLANE, {
                "dbaas:subnetCidr": "10.1.0.0/24",
                "dbaas:existingNetwork": '{"networkId": "n", "subnetId": "s"}',
            });
            expectProblem(raw, "dbaas:subnetCidr", "10.1.0.0/24", /must not be set together with dbaas:existingNetwork/);
        });
    });

    describe("other values", () => {
        it("rejects a boolean that is not true/false", () => {
            expectProblem(withKeys(DATABASE, { "dbaas:deleteData": "yes" }), "dbaas:deleteData", "yes", /"true" or "false"/);
        });
        it("rejects a controlPlane that is not a stack reference", () => {
            const v = "a/b/c/d";
            expectProblem(withKeys(DATABASE, { "dbaas:controlPlane": v }), "dbaas:controlPlane", v, /org\/project\/stack/);
        });
        it("rejects an empty flavor", () => {
            expectProblem(withKeys(DATABASE, { "dbaas:flavor": "" }), "dbaas:flavor", "", /must not be empty/);
        });
    });
});

describe("config/schema: CONFIG_KEYS and engine tables", () => {
    it("describes every key once, in the dbaas namespace, with kinds and accepted values", () => {
        const names = CONFIG_KEYS.map((k) => k.name);
        assert.equal(new Set(names).size, names.length);
        for (const k of CONFIG_KEYS) {
            assert.equal(k.key, `dbaas:${k.name}`);
            assert.ok(k.kinds.length > 0 && k.accepted.length > 0 && k.description.length > 0, k.name);
            assert.ok(!(k.required && k.default !== undefined), `${k.name} is required and has a default`);
        }
        const dbRequired = CONFIG_KEYS.filter((k) => k.kinds.includes("database") && k.required).map((k) => k.name).sort();
        assert.deepEqual(dbRequired, ["allowedCidrs", "authUrl", "controlPlane", "engine", "flavor", "floatingIpPool", "image", "kind", "name", "sizeGb", "version"]);
    });

    it("lists the defaults the parser applies", () => {
        const cfg = parseStackConfig(CONTROL_PLANE) as unknown as Record<string, unknown>;
        for (const k of CONFIG_KEYS.filter((k) => k.kinds.includes("control-plane") && k.default !== undefined)) {
            assert.deepEqual(cfg[k.name], k.default, k.name);
        }
    });

    it("has the engine versions and ports", () => {
        assert.deepEqual(ENGINE_NAMES.map((e) => [e, ENGINES[e].name, ENGINES[e].versions, ENGINES[e].port]), [
            ["postgresql", "postgresql", ["15", "16", "17", "18"], 5432],
            ["mariadb", "mariadb", ["10.11", "11.4", "11.8"], 3306],
        ]);
    });
});
