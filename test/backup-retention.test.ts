/**
 * Retention: the rule (selectForPruning) on a hand-checked listing; the prune script's awk
 * program gives the same answer as the rule on many random listings, under busybox awk (the
 * rclone image's) and Debian's awk; and the prune script run against the real Swift deletes
 * exactly the objects the rule selects, on both clouds' crypt remotes.
 */
import { strict as assert } from "node:assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { backupId, DEFAULT_RETENTION, ENV, PRUNE_SELECT_AWK, pruneScript, RetentionPolicy, SCRIPT_FILES, selectForPruning } from "../backups";
import { requireTool, run } from "./support/exec";
import { useSwift } from "./support/swift";
import { newSecrets, testRcloneConf } from "./support/backupFixture";
import { newAlloc, runTask, taskEnv } from "./support/jobs";

const H = 3_600_000;
const D = 24 * H;

function names(db: string, t: Date, parts: "both" | "data" | "manifest" = "both"): string[] {
    const id = backupId(db, t);
    return parts === "both" ? [`${id}.zst`, `${id}.manifest`] : [parts === "data" ? `${id}.zst` : `${id}.manifest`];
}

describe("backups: the retention rule", () => {
    const now = new Date("2026-03-04T12:00:00Z"); // a Wednesday
    const listing: string[] = [];
    for (let t = Date.parse("2026-01-01T02:00:00Z"); t < now.getTime(); t += D) listing.push(...names("app", new Date(t)));
    listing.push(...names("app", new Date("2026-03-04T10:00:00Z"))); // a second backup today
    listing.push(...names("app", new Date("2026-03-04T09:30:00Z"), "data")); // incomplete, 2.5 h old: may be running
    listing.push(...names("app", new Date("2026-03-03T03:00:00Z"), "data")); // incomplete, 33 h old
    listing.push(...names("app", new Date("2026-01-15T03:00:00Z"), "manifest")); // orphan manifest
    listing.push("notes.txt", "other-20260101T000000Z.zst", "app-20260230T000000Z.zst", "app-latest.zst");

    it("keeps the newest backup of each of the 7 last days and of each of the 4 last ISO weeks, nothing else complete", () => {
        const sel = selectForPruning("app", listing, DEFAULT_RETENTION, now);
        const keptIds = [...new Set(sel.keep.map((n) => n.replace(/\.(zst|manifest)$/, "")))].sort();
        assert.deepEqual(keptIds, [
            "app-20260215T020000Z", "app-20260222T020000Z", // weeks of Feb 9 and Feb 16: their Sundays
            "app-20260226T020000Z", "app-20260227T020000Z", "app-20260228T020000Z", "app-20260301T020000Z",
            "app-20260302T020000Z", "app-20260303T020000Z", "app-20260304T093000Z", "app-20260304T100000Z",
        ]);
        assert.ok(sel.keep.includes("app-20260304T093000Z.zst"), "a young incomplete backup is kept");
        assert.ok(!sel.keep.includes("app-20260304T020000Z.zst") && sel.delete.includes("app-20260304T020000Z.manifest"), "the older of today's two goes");
        assert.ok(sel.delete.includes("app-20260303T030000Z.zst") && sel.delete.includes("app-20260115T030000Z.manifest"));
        assert.deepEqual(sel.ignored, ["app-20260230T000000Z.zst", "app-latest.zst", "notes.txt", "other-20260101T000000Z.zst"]);
        assert.equal(sel.keep.length + sel.delete.length + sel.ignored.length, listing.length);
    });

    it("never prunes the last backups of a stopped schedule, and refuses a policy that keeps nothing", () => {
        const old = [...names("app", new Date("2025-01-01T00:00:00Z")), ...names("app", new Date("2025-01-02T00:00:00Z"))];
        assert.deepEqual(selectForPruning("app", old, { daily: 1, weekly: 0, incompleteGraceHours: 24 }, now).delete, names("app", new Date("2025-01-01T00:00:00Z")).sort());
        assert.throws(() => selectForPruning("app", old, { daily: 0, weekly: 4, incompleteGraceHours: 24 }, now), /daily/);
    });
});

/** A seeded pseudo-random generator (mulberry32): reproducible listings. */
function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

describe("backups: the prune script's awk program equals the rule", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prune-awk-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const awkFile = path.join(dir, SCRIPT_FILES.pruneSelect);
    fs.writeFileSync(awkFile, PRUNE_SELECT_AWK);

    for (const awk of [["busybox", "awk"], ["awk"]]) {
        it(`on 150 random listings, under ${awk.join(" ")}`, () => {
            requireTool(awk[0], awk[0] === "busybox" ? "busybox" : "mawk");
            const rand = rng(awk.length * 7919);
            for (let i = 0; i < 150; i++) {
                const db = ["app", "my-db", "a.b_c"][i % 3];
                const end = Date.UTC(2024, 0, 1) + Math.floor(rand() * 900) * D; // crosses leap days and year ends
                const policy: RetentionPolicy = { daily: 1 + Math.floor(rand() * 10), weekly: Math.floor(rand() * 6), incompleteGraceHours: 1 + Math.floor(rand() * 48) };
                const listing: string[] = ["readme", `${db}x-20240101T000000Z.zst`, `${db}-20241301T000000Z.zst`];
                const n = Math.floor(rand() * 60);
                for (let k = 0; k < n; k++) {
                    const t = new Date(end - Math.floor(rand() * 120 * D / 1000) * 1000);
                    const r = rand();
                    listing.push(...names(db, t, r < 0.8 ? "both" : r < 0.9 ? "data" : "manifest"));
                }
                const unique = [...new Set(listing)];
                const now = new Date(end + Math.floor(rand() * 3 * D / 1000) * 1000);
                const want = selectForPruning(db, unique, policy, now).delete;
                const input = unique.sort().reverse().join("\n") + "\n";
                const r = run(awk[0], [...awk.slice(1), "-v", `db=${db}`, "-v", `daily=${policy.daily}`, "-v", `weekly=${policy.weekly}`,
                    "-v", `grace=${policy.incompleteGraceHours * 3600}`, "-v", `now=${now.getTime() / 1000}`, "-f", awkFile], { input });
                assert.equal(r.status, 0, r.stderr);
                const got = r.stdout.split("\n").filter(Boolean);
                assert.deepEqual([...got].sort(), want, `case ${i} (${db}, ${JSON.stringify(policy)}, now ${now.toISOString()})`);
                got.forEach((name, k) => { // a backup's manifest goes first, right before its data object
                    const data = name.replace(/\.manifest$/, ".zst");
                    if (data !== name && got.includes(data)) assert.equal(got[k + 1], data);
                });
            }
        });
    }
});

describe("backups: the prune script on the real Swift (both clouds)", function () {
    this.timeout(180_000);
    const swift = useSwift();

    it("deletes exactly the objects the rule selects, and leaves foreign objects alone", async () => {
        const aio = swift();
        const secrets = newSecrets(aio);
        const conf = testRcloneConf(aio, "db-shop", secrets);
        const alloc = newAlloc();
        try {
            const now = Date.now();
            const listing: string[] = ["notes.txt"];
            // Daily backups at 5 h past each UTC midnight for 40 days, a young and an old incomplete one, an orphan manifest.
            const today = Math.floor(now / D) * D;
            for (let d = 0; d < 40; d++) listing.push(...names("shop", new Date(today - d * D - D + 5 * H)));
            listing.push(...names("shop", new Date(now - 2 * H), "data"), ...names("shop", new Date(now - 30 * H - 17 * 60_000), "manifest"));
            listing.push(...names("shop", new Date(today - 50 * D + 7 * H), "data"));
            const src = path.join(alloc.dir, "objects");
            fs.mkdirSync(src);
            for (const n of listing) fs.writeFileSync(path.join(src, n), `object ${n}\n`);
            const dir = alloc.task("upload", { [SCRIPT_FILES.prune]: pruneScript(DEFAULT_RETENTION), [SCRIPT_FILES.pruneSelect]: PRUNE_SELECT_AWK }, conf);
            const env = taskEnv(alloc, dir, "rclone", { [ENV.database]: "shop" });
            for (const remote of ["primary", "secondary"]) {
                const up = run("rclone", ["--config", env[ENV.rcloneConfig]!, "copy", src, `${remote}:`]);
                assert.equal(up.status, 0, up.stderr);
            }
            const want = selectForPruning("shop", listing, DEFAULT_RETENTION, new Date(now));
            assert.ok(want.delete.length >= 2 * 28 + 2 && want.keep.length >= 2 * 9 + 1, "the listing exercises complete and incomplete deletions");
            for (const remote of ["primary", "secondary"]) {
                const r = await runTask("prune", "rclone", dir, SCRIPT_FILES.prune, env, [remote]).done;
                assert.equal(r.code, 0, r.stderr);
                const left = run("rclone", ["--config", env[ENV.rcloneConfig]!, "lsf", "--files-only", `${remote}:`]).stdout.split("\n").filter(Boolean).sort();
                assert.deepEqual(left, [...want.keep, ...want.ignored].sort(), `objects left on ${remote}`);
                const logged = r.stderr.split("\n").filter((l) => l.startsWith("backup prune: deleted ")).map((l) => l.slice(`backup prune: deleted ${remote}:`.length)).sort();
                assert.deepEqual(logged, want.delete);
            }
            // What Swift itself holds: encrypted names only (no backup id in clear).
            const raw = aio.swift(aio.primary, ["list", "db-shop"]);
            assert.doesNotMatch(raw, /shop-|notes/);
        } finally {
            alloc.remove();
        }
    });
});
