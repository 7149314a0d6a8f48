/** The backup keys: dbaas:backup, dbaas:restoreFrom and the secrets that go with them (pure). */
import * as assert from "assert";
import { ConfigError, parseStackConfig, RawConfig } from "../config";

const DATABASE: RawConfig = {
    "dbaas:kind": "database", "dbaas:flavor": "m1.large", "dbaas:image": "debian-12-genericcloud-amd64",
    "dbaas:controlPlane": "dev", "dbaas:engine": "postgresql", "dbaas:version": "16",
    "dbaas:name": "orders", "dbaas:sizeGb": "10", "dbaas:allowedCidrs": '["10.0.0.0/8"]',
    "dbaas:floatingIpPool": "public", "dbaas:authUrl": "https://keystone.example.org:5000/v3",
};
const SECONDARY = { authUrl: "https://keystone.two.example.org:5000/v3", region: "RegionTwo", credentialId: "cred-2" };

function problems(raw: RawConfig, secretKeys?: string[]): string[] {
    try {
        parseStackConfig(raw, secretKeys ? { secretKeys } : {});
    } catch (err) {
        if (err instanceof ConfigError) return err.problems.map((p) => `${p.key} = ${String(p.value)}: ${p.message}`);
        throw err;
    }
    return [];
}

describe("config: backup keys", () => {
    it("defaults: daily at 03:00 UTC, 7 daily and 4 weekly kept, a weekly drill, no secondary, no restore", () => {
        const cfg = parseStackConfig(DATABASE);
        assert.ok(cfg.kind === "database");
        assert.deepEqual(cfg.backup, { schedule: "0 3 * * *", daily: 7, weekly: 4, drillSchedule: "30 4 * * 0" });
        assert.equal(cfg.restoreFrom, undefined);
    });

    it("takes a schedule, a retention and a secondary cloud whose secret is a secret config value", () => {
        const cfg = parseStackConfig({ ...DATABASE, "dbaas:backup": JSON.stringify({ schedule: "15 */6 * * *", daily: 14, weekly: 0, secondary: SECONDARY }), "dbaas:backupSecondarySecret": "s3cr3t" },
            { secretKeys: ["dbaas:backupSecondarySecret"] });
        assert.ok(cfg.kind === "database");
        assert.deepEqual(cfg.backup, { schedule: "15 */6 * * *", daily: 14, weekly: 0, drillSchedule: "30 4 * * 0", secondary: SECONDARY });
        assert.equal(cfg.backupSecondarySecret, "s3cr3t");
    });

    it("refuses a bad schedule, retention or secondary, naming each field", () => {
        const p = problems({ ...DATABASE, "dbaas:backup": JSON.stringify({ schedule: "daily", daily: 0, weekly: 60, secondary: { authUrl: "http://x", region: "" }, typo: 1 }) });
        const text = p.join("\n");
        for (const want of [/unknown field "typo"/, /"schedule": "daily" is not a cron expression/, /"daily" must be a whole number from 1 to 90/, /"weekly" must be a whole number from 0 to 52/,
            /"secondary.authUrl" must be the https URL/, /"secondary.region" must be a non-empty string/, /"secondary.credentialId" must be a non-empty string/]) assert.match(text, want);
    });

    it("a secondary cloud needs its secret, and the secret needs the secondary", () => {
        assert.match(problems({ ...DATABASE, "dbaas:backup": JSON.stringify({ secondary: SECONDARY }) }).join("\n"), /dbaas:backupSecondarySecret = undefined: is required when dbaas:backup names a secondary cloud/);
        assert.match(problems({ ...DATABASE, "dbaas:backupSecondarySecret": "x" }).join("\n"), /dbaas:backupSecondarySecret = x: is set but dbaas:backup names no secondary cloud/);
    });

    it("a secret key set in clear is refused without echoing it", () => {
        const p = problems({ ...DATABASE, "dbaas:backup": JSON.stringify({ secondary: SECONDARY }), "dbaas:backupSecondarySecret": "leaky-value" }, []).join("\n");
        assert.match(p, /dbaas:backupSecondarySecret = \[not shown\]: is a secret: set it with pulumi config set --secret/);
        assert.doesNotMatch(p, /leaky-value/);
    });

    it("restoreFrom: a container, a cloud, a backup id or latest, the source's name; with its key", () => {
        const cfg = parseStackConfig({ ...DATABASE, "dbaas:restoreFrom": JSON.stringify({ container: "old-orders-backups", backup: "old-orders-20261128T030000Z", database: "old-orders" }), "dbaas:restoreKey": "pw:salt" });
        assert.ok(cfg.kind === "database");
        assert.deepEqual(cfg.restoreFrom, { container: "old-orders-backups", cloud: "primary", backup: "old-orders-20261128T030000Z", database: "old-orders" });
        assert.equal(cfg.restoreKey, "pw:salt");
        const latest = parseStackConfig({ ...DATABASE, "dbaas:restoreFrom": JSON.stringify({ container: "orders-backups" }), "dbaas:restoreKey": "pw:salt" });
        assert.ok(latest.kind === "database");
        assert.deepEqual(latest.restoreFrom, { container: "orders-backups", cloud: "primary", backup: "latest" });
    });

    it("restoreFrom refuses what cannot be restored, and needs its key (and a secondary when it reads one)", () => {
        const text = problems({ ...DATABASE, "dbaas:restoreFrom": JSON.stringify({ container: "x y", cloud: "third", backup: "yesterday" }) }).join("\n");
        assert.match(text, /"container" must be a Swift container name/);
        assert.match(text, /"cloud" must be "primary" or "secondary"/);
        assert.match(text, /"backup" must be "latest" or a backup id/);
        assert.match(problems({ ...DATABASE, "dbaas:restoreFrom": JSON.stringify({ container: "c", backup: "other-20261128T030000Z", database: "orders" }), "dbaas:restoreKey": "a:b" }).join("\n"),
            /"backup" other-20261128T030000Z is not a backup id of database orders/);
        assert.match(problems({ ...DATABASE, "dbaas:restoreFrom": JSON.stringify({ container: "c" }) }).join("\n"), /dbaas:restoreKey = undefined: is required with dbaas:restoreFrom/);
        assert.match(problems({ ...DATABASE, "dbaas:restoreFrom": JSON.stringify({ container: "c", cloud: "secondary" }), "dbaas:restoreKey": "a:b" }).join("\n"), /restores from the secondary cloud, but dbaas:backup names none/);
        assert.match(problems({ ...DATABASE, "dbaas:restoreKey": "a:b" }).join("\n"), /is set but dbaas:restoreFrom is not/);
        const mariadb = { ...DATABASE, "dbaas:engine": "mariadb", "dbaas:version": "11.4", "dbaas:restoreKey": "a:b" };
        assert.match(problems({ ...mariadb, "dbaas:restoreFrom": JSON.stringify({ container: "c", database: "old" }) }).join("\n"), /MariaDB's backups name their database, so a database restored from one keeps its name \(dbaas:name: old\)/);
        assert.deepEqual(problems({ ...mariadb, "dbaas:restoreFrom": JSON.stringify({ container: "c", database: "orders" }) }), []);
    });
});
