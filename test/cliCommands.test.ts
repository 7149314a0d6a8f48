/**
 * The operators' tool's stack commands (`dbaas connection`, `dbaas sql`), given stack outputs from
 * files as `pulumi stack output --json` prints them, against a stand-in Nomad HTTP API that
 * records what it is asked.
 */
import * as assert from "assert";
import { AddressInfo } from "net";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { dbaas } from "./support/cli";
import { answer, fakeNomadServer } from "./support/nomadApi";
import { useTempDir } from "./support/fixtures";

const CA = "-----BEGIN CERTIFICATE-----\nTESTCA\n-----END CERTIFICATE-----\n";
const DB_OUTPUTS = {
    name: "orders", controlPlane: "dev", jobs: { sql: "orders-sql" },
    connection: { engine: "postgresql", version: "16.14", host: "203.0.113.7", port: 5432, database: "orders", user: "orders", sslmode: "verify-full", caCert: CA, password: "[secret]", uri: "[secret]" },
};

/** A stand-in for Nomad's API: one parameterized job whose dispatch completes (or fails) with given logs. */
function fakeNomad(result: { status: "complete" | "failed"; exit: number; stdout: string; stderr: string }) {
    return fakeNomadServer((method, url, res) => {
        if (method === "POST" && url.pathname === "/v1/job/orders-sql/dispatch") return answer(res, { DispatchedJobID: "orders-sql/dispatch-1", EvalID: "e1" });
        if (url.pathname === "/v1/job/orders-sql%2Fdispatch-1/allocations" || url.pathname === "/v1/job/orders-sql/dispatch-1/allocations") {
            return answer(res, [{ ID: "alloc-1", ClientStatus: result.status, TaskStates: { sql: { State: "dead", Failed: result.exit !== 0, Events: [{ Type: "Terminated", ExitCode: result.exit }] } } }]);
        }
        if (url.pathname === "/v1/client/fs/logs/alloc-1") return answer(res, url.searchParams.get("type") === "stdout" ? result.stdout : result.stderr);
        return false;
    });
}

describe("dbaas connection and dbaas sql, from stack outputs in files", () => {
    const tmp = useTempDir("dbaas-cli-stack-");
    const file = (name: string, content: unknown) => {
        const path = join(tmp(), name);
        writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
        return path;
    };

    it("connection writes <database>.yml with no secret, saying where the password is", async () => {
        const r = await dbaas("connection", "--stack", "orders", "--outputs", file("orders.json", DB_OUTPUTS), "--out", tmp());
        assert.equal(r.code, 0, r.err);
        const text = readFileSync(join(tmp(), "orders.yml"), "utf8");
        const doc = parse(text) as Record<string, unknown>;
        assert.deepEqual({ ...doc, password: undefined }, { name: "orders", engine: "postgresql", version: "16.14", host: "203.0.113.7", port: 5432, database: "orders", user: "orders", sslmode: "verify-full", caCert: CA, password: undefined });
        assert.match(String((doc["password"] as Record<string, unknown>)["read"]), /pulumi stack output connection --show-secrets --json --stack orders/);
        assert.doesNotMatch(text, /\[secret\]/);
    });

    it("connection: outputs without a connection, or not JSON, say what is wrong in one line", async () => {
        const none = await dbaas("connection", "--stack", "dev", "--outputs", file("dev.json", { nomadAddress: "x" }), "--out", tmp());
        assert.equal(none.code, 1);
        assert.match(none.err, /^dbaas: stack dev has no output connection/);
        const bad = await dbaas("connection", "--stack", "orders", "--outputs", file("bad.json", "{nope"), "--out", tmp());
        assert.equal(bad.code, 1);
        assert.match(bad.err, /not JSON/);
    });

    for (const [label, result, code] of [
        ["prints the job's output and exits 0 when it completes", { status: "complete", exit: 0, stdout: "CREATE TABLE\nINSERT 0 1\n", stderr: "" }, 0],
        ["prints the job's errors and exits 1 when it fails", { status: "failed", exit: 3, stdout: "", stderr: "ERROR:  syntax error at or near \"SELEC\"\n" }, 1],
    ] as const) {
        it(`sql dispatches the file to the sql job with the control plane's token; ${label}`, async () => {
            const nomad = fakeNomad(result);
            await new Promise<void>((r) => nomad.server.listen(0, "127.0.0.1", r));
            try {
                const address = `http://127.0.0.1:${(nomad.server.address() as AddressInfo).port}`;
                const cp = file("dev.json", { nomadAddress: address, nomadToken: "management-token", caCertPem: CA, nomadRegion: "global" });
                const sqlFile = file("change.sql", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n");
                const r = await dbaas("sql", sqlFile, "--stack", "orders", "--outputs", file("orders.json", DB_OUTPUTS), "--control-plane-outputs", cp);
                assert.equal(r.code, code, r.err);
                assert.equal(r.out, result.stdout);
                assert.ok(r.err.includes(result.stderr));
                const post = nomad.seen.find((s) => s.method === "POST");
                assert.ok(post);
                assert.equal(post.token, "management-token");
                assert.match(post.url, /^\/v1\/job\/orders-sql\/dispatch\?region=global$/);
                assert.equal(Buffer.from((JSON.parse(post.body) as { Payload: string }).Payload, "base64").toString(), readFileSync(sqlFile, "utf8"));
            } finally {
                nomad.server.close();
            }
        });
    }

    it("sql: an unreachable Nomad, a hidden secret, a missing file: one line each", async () => {
        const sqlFile = file("x.sql", "SELECT 1;\n");
        const db = file("orders.json", DB_OUTPUTS);
        const unreachable = await dbaas("sql", sqlFile, "--stack", "orders", "--outputs", db, "--control-plane-outputs", file("cp.json", { nomadAddress: "http://127.0.0.1:9", nomadToken: "t", caCertPem: CA, nomadRegion: "global" }));
        assert.equal(unreachable.code, 1);
        assert.match(unreachable.err, /^dbaas: cannot reach Nomad at http:\/\/127\.0\.0\.1:9/m);
        const hidden = await dbaas("sql", sqlFile, "--stack", "orders", "--outputs", db, "--control-plane-outputs", file("cp2.json", { nomadAddress: "http://x", nomadToken: "[secret]", caCertPem: CA, nomadRegion: "global" }));
        assert.match(hidden.err, /nomadToken is a secret and was not shown/);
        const missing = await dbaas("sql", join(tmp(), "nope.sql"), "--stack", "orders");
        assert.equal(missing.code, 1);
        assert.match(missing.err, /nope\.sql: no such file/);
    });
});
