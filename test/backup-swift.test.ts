/**
 * The Swift all-in-one the backup tests use (test/support/swift.ts): two tempauth "clouds",
 * each proxy knows only its own user, objects round-trip, and stopping it leaves no process
 * and no directory behind. Prints its start time (no timed assertion).
 */
import { strict as assert } from "node:assert";
import * as fs from "fs";
import * as path from "path";
import { startSwift, SwiftAio } from "./support/swift";
import { run } from "./support/exec";

describe("backups: the Swift all-in-one test helper", function () {
    this.timeout(120_000);
    let aio: SwiftAio | undefined;
    after(async () => {
        await aio?.stop();
    });

    it("starts two tempauth clouds on loopback, stores objects, and stops by PID leaving nothing behind", async () => {
        aio = await startSwift();
        console.log(`      Swift all-in-one started in ${aio.startMs} ms`);
        const file = path.join(aio.dir, "hello.txt");
        fs.writeFileSync(file, "hello\n");
        for (const cloud of [aio.primary, aio.secondary]) {
            assert.match(cloud.authUrl, /^http:\/\/127\.0\.0\.1:\d+\/auth\/v1\.0$/);
            aio.swift(cloud, ["upload", "c", file, "--object-name", "hello.txt"]);
            assert.equal(aio.swift(cloud, ["download", "c", "hello.txt", "-o", "-"]), "hello\n");
            assert.match(aio.swift(cloud, ["stat"]), new RegExp(`Account: ${cloud.account}`));
        }
        // A cloud's proxy does not know the other cloud's user.
        const cross = run("swift", ["-A", aio.secondary.authUrl, "-U", aio.primary.user, "-K", aio.primary.key, "stat"]);
        assert.notEqual(cross.status, 0);
        const pids = run("sh", ["-c", `ps -eo pid,args | grep -F '${aio.dir}' | grep -v grep || true`]).stdout.trim();
        assert.ok(pids.split("\n").length >= 5, `the servers run with their configs in ${aio.dir}:\n${pids}`);
        const dir = aio.dir;
        await aio.stop();
        aio = undefined;
        assert.equal(run("sh", ["-c", `ps -eo pid,args | grep -F '${dir}' | grep -v grep || true`]).stdout.trim(), "");
        assert.ok(!fs.existsSync(dir));
    });
});
