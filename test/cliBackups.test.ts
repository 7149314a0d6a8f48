/**
 * `dbaas backup`, `dbaas backups` and `dbaas restore` against a stand-in Nomad HTTP API that
 * records what it is asked: a forced periodic run followed to its end (also from DBAAS_NOMAD_*
 * variables, as `pulumi destroy` runs it), the listing read into a table, a restore dispatched
 * with its backup and cloud, failures in one line with the job's errors.
 */
import * as assert from "assert";
import { AddressInfo } from "net";
import { writeFileSync } from "fs";
import { join } from "path";
import { dbaas } from "./support/cli";
import { answer, fakeNomadServer } from "./support/nomadApi";
import { listingTable, parseListing } from "../cli/backupList";
import { useTempDir } from "./support/fixtures";

const CA = "-----BEGIN CERTIFICATE-----\nTESTCA\n-----END CERTIFICATE-----\n";
const OUTPUTS = { name: "orders", controlPlane: "dev", jobs: { sql: "orders-sql", backup: "orders-backup", restore: "orders-restore", backups: "orders-backups" } };
const MANIFEST = (id: string, finished: string) => [
    "dbaas-backup-manifest\t1", `id\t${id}`, "engine\tpostgresql", "version\t16.14", "database\torders", `object\t${id}.zst`, "compression\tzstd",
    "size\t4700000", `sha256\t${"ab".repeat(32)}`, "started\t2026-11-28T03:00:00Z", `finished\t${finished}`, "rows\tpublic.t\t10", "rows\tpublic.u\t5",
].join("\n");
const LISTING = `backup\torders-20261128T030000Z\n${MANIFEST("orders-20261128T030000Z", "2026-11-28T03:00:41Z")}\nbackup\torders-20261127T030000Z\n${MANIFEST("orders-20261127T030000Z", "2026-11-27T03:00:40Z")}\nincomplete\torders-20261126T030000Z.zst\n`;

/** A stand-in Nomad: periodic force, evaluations, dispatch, allocations and logs of one child job. */
function fakeNomad(failTask?: string) {
    const logs: Record<string, { stdout: string; stderr: string }> = {
        dump: { stdout: "", stderr: "backup dump: orders-20261128T030000Z: 4700000 bytes compressed\n" },
        upload: { stdout: "", stderr: "backup upload: primary:orders-20261128T030000Z.zst uploaded\n" },
        list: { stdout: LISTING, stderr: "" },
        fetch: { stdout: "", stderr: "restore fetch: primary:orders-20261128T030000Z.zst downloaded\n" },
        restore: { stdout: "", stderr: failTask === "restore" ? "restore: primary:orders-20261128T030000Z.zst has sha256 00, its manifest says ab: corrupt; the database was not touched\n" : "restore: restored\n" },
    };
    const tasks: Record<string, string[]> = { "orders-backup/periodic-1": ["dump", "upload"], "orders-backups/dispatch-1": ["list"], "orders-restore/dispatch-1": ["fetch", "restore"] };
    return fakeNomadServer((method, url, res) => {
        const p = decodeURIComponent(url.pathname);
        if (method === "POST" && p === "/v1/job/orders-backup/periodic/force") return answer(res, { EvalID: "ev-1" });
        if (p === "/v1/evaluation/ev-1") return answer(res, { ID: "ev-1", JobID: "orders-backup/periodic-1" });
        const dispatched = /^\/v1\/job\/(orders-(backups|restore))\/dispatch$/.exec(p);
        if (method === "POST" && dispatched) return answer(res, { DispatchedJobID: `${dispatched[1]}/dispatch-1` });
        const allocs = /^\/v1\/job\/(.+)\/allocations$/.exec(p);
        if (allocs && tasks[allocs[1]!]) {
            const states = Object.fromEntries(tasks[allocs[1]!]!.map((t) => [t, { State: "dead", Failed: t === failTask, Events: [{ Type: "Terminated", ExitCode: t === failTask ? 1 : 0 }] }]));
            return answer(res, [{ ID: "alloc-1", ClientStatus: failTask ? "failed" : "complete", TaskStates: states }]);
        }
        if (p !== "/v1/client/fs/logs/alloc-1") return false;
        const l = logs[url.searchParams.get("task") ?? ""];
        return answer(res, (url.searchParams.get("type") === "stdout" ? l?.stdout : l?.stderr) ?? "");
    });
}

describe("dbaas backup, backups and restore, against a stand-in Nomad", () => {
    const tmp = useTempDir("dbaas-cli-backups-");
    let nomad: ReturnType<typeof fakeNomad>;
    let address: string;
    const files = () => {
        const db = join(tmp(), "orders.json");
        writeFileSync(db, JSON.stringify(OUTPUTS));
        const cp = join(tmp(), "dev.json");
        writeFileSync(cp, JSON.stringify({ nomadAddress: address, nomadToken: "management-token", caCertPem: CA, nomadRegion: "global" }));
        return ["--stack", "orders", "--outputs", db, "--control-plane-outputs", cp];
    };
    async function withNomad(failTask: string | undefined, body: () => Promise<void>): Promise<void> {
        nomad = fakeNomad(failTask);
        await new Promise<void>((r) => nomad.server.listen(0, "127.0.0.1", r));
        address = `http://127.0.0.1:${(nomad.server.address() as AddressInfo).port}`;
        try {
            await body();
        } finally {
            nomad.server.close();
        }
    }

    it("backup forces a run of the periodic backup job, follows it, prints its tasks' logs and exits 0", () => withNomad(undefined, async () => {
        const r = await dbaas("backup", ...files());
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /started orders-backup\/periodic-1/);
        assert.match(r.err, /backup upload: primary:orders-20261128T030000Z\.zst uploaded/);
        const force = nomad.seen.find((s) => s.method === "POST");
        assert.equal(force?.url, "/v1/job/orders-backup/periodic/force?region=global");
        assert.equal(force?.token, "management-token");
    }));

    it("backup --job --nomad-from-env (pulumi destroy's final backup) reads Nomad from DBAAS_NOMAD_*; a failed run exits 1", () => withNomad("upload", async () => {
        const saved = { ...process.env };
        Object.assign(process.env, { DBAAS_NOMAD_ADDR: address, DBAAS_NOMAD_TOKEN: "env-token", DBAAS_NOMAD_CACERT: CA, DBAAS_NOMAD_REGION: "global" });
        try {
            const r = await dbaas("backup", "--job", "orders-backup", "--nomad-from-env", "--timeout", "30");
            assert.equal(r.code, 1);
            assert.match(r.err, /orders-backup\/periodic-1 failed: the backup failed/);
            assert.ok(nomad.seen.every((s) => s.token === "env-token"));
        } finally {
            process.env = saved;
        }
        const missing = await dbaas("backup", "--job", "orders-backup", "--nomad-from-env");
        assert.equal(missing.code, 1);
        assert.match(missing.err, /^dbaas: DBAAS_NOMAD_ADDR is not set/);
    }));

    it("backups dispatches the listing job and prints a table of the manifests (or JSON)", () => withNomad(undefined, async () => {
        const r = await dbaas("backups", ...files());
        assert.equal(r.code, 0, r.err);
        const lines = r.out.trim().split("\n");
        assert.match(lines[0]!, /^BACKUP\s+STARTED\s+FINISHED\s+SIZE\s+ENGINE\s+TABLES\s+ROWS\s+SHA256$/);
        assert.match(lines[1]!, /^orders-20261128T030000Z\s+2026-11-28T03:00:00Z\s+2026-11-28T03:00:41Z\s+4\.5 MB\s+postgresql 16\.14\s+2\s+15\s+abababababab$/);
        assert.match(r.out, /incomplete: orders-20261126T030000Z\.zst/);
        assert.deepEqual(JSON.parse(nomad.seen.find((s) => s.method === "POST")!.body), { Meta: { cloud: "primary" } });
        const json = await dbaas("backups", ...files(), "--json", "--cloud", "secondary");
        assert.equal((JSON.parse(json.out) as { backups: unknown[] }).backups.length, 2);
        assert.deepEqual(JSON.parse(nomad.seen.filter((s) => s.method === "POST")[1]!.body), { Meta: { cloud: "secondary" } });
    }));

    it("restore dispatches the restore job with the backup and the cloud; a corrupt object fails, the error naming it", () => withNomad("restore", async () => {
        const r = await dbaas("restore", ...files(), "--backup", "orders-20261128T030000Z");
        assert.equal(r.code, 1);
        assert.deepEqual(JSON.parse(nomad.seen.find((s) => s.method === "POST")!.body), { Meta: { backup: "orders-20261128T030000Z", cloud: "primary" } });
        assert.match(r.err, /primary:orders-20261128T030000Z\.zst has sha256 00, its manifest says ab: corrupt; the database was not touched/);
        assert.match(r.err, /the restore of primary:orders-20261128T030000Z failed/);
        const bad = await dbaas("restore", ...files(), "--backup", "yesterday");
        assert.equal(bad.code, 2);
        assert.match(bad.err, /^dbaas: --backup yesterday: a backup id/);
    }));

    it("a stack deployed before backups has no backup job: one line says so", async () => {
        const db = join(tmp(), "old.json");
        writeFileSync(db, JSON.stringify({ ...OUTPUTS, jobs: { sql: "orders-sql" } }));
        const r = await dbaas("backup", "--stack", "orders", "--outputs", db, "--control-plane-outputs", join(tmp(), "none.json"));
        assert.equal(r.code, 1);
        assert.match(r.err, /^dbaas: stack orders has no output backup \(the backup job's id/);
    });

    it("the listing parser keeps unreadable manifests apart, and the table says when there is no backup", () => {
        const l = parseListing("backup\tx-20261128T030000Z\nnot a manifest\nunreadable\tx-20261127T030000Z.manifest\n");
        assert.deepEqual(l.backups, []);
        assert.equal(l.unreadable.length, 2);
        assert.match(listingTable({ backups: [], incomplete: [], unreadable: [] }), /\(no complete backup\)/);
    });
});
