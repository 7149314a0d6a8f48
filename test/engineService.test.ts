/**
 * The engine of a database stack under the mock runtime, on both example database configs
 * (PostgreSQL and MariaDB): its Nomad jobs (valid against the strict schema, no secret in them),
 * the Nomad Variables that carry the secrets, the `connection` output (its secret parts secret),
 * the GitOps file and the catalog entry.
 */
import * as assert from "assert";
import { parse } from "yaml";
import { ENGINES, EngineName } from "../engines";
import { runStack, StackRun } from "../plan/run";
import { REDACTED } from "../render/redacted";
import { nomadJobErrors } from "./support/nomadSchema";
import { everythingWritten, leakedSecrets, ofType, one } from "./support/resources";
import { useStackRun } from "./support/fixtures";

const JOB = "nomad:index/job:Job";
const VARIABLE = "nomad:index/variable:Variable";

for (const [file, database, engine] of [["Pulumi.my-first-db.yaml", "my-first-db", "postgresql"], ["Pulumi.my-first-mariadb.yaml", "shop", "mariadb"]] as const) {
    describe(`the engine of ${file} (${engine}, mock runtime)`, () => {
        const run = useStackRun(file);
        const ids = ["engine", "configure", "sql"].map((k) => `${database}-${k}`);

        it("registers the engine, configure and sql jobs as JSON, each as the offline plan writes it and valid against the strict Nomad schema", () => {
            for (const id of ids) {
                const job = one(run(), JOB, `${id}-job`);
                assert.equal(job.inputs["json"], true);
                const spec = String(job.inputs["jobspec"]);
                assert.equal(spec, run().artifacts[`nomad/${id}.json`], `artifacts/nomad/${id}.json is the registered jobspec`);
                const parsed = JSON.parse(spec) as { Job: { ID: string; Type: string } };
                assert.equal(parsed.Job.ID, id);
                assert.deepEqual(nomadJobErrors(parsed), [], id);
            }
            assert.equal(JSON.parse(String(one(run(), JOB, `${database}-engine-job`).inputs["jobspec"])).Job.Type, "service");
            assert.equal(one(run(), JOB, `${database}-engine-job`).inputs["detach"], false, "pulumi up waits for the engine to be healthy");
        });

        it("puts no secret in a jobspec: the tasks read them from their job's Nomad Variable", () => {
            const specs = ids.map((id) => String(one(run(), JOB, `${id}-job`).rawInputs["jobspec"])).join("\n");
            assert.deepEqual(leakedSecrets(run(), specs), []);
            assert.doesNotMatch(specs, /BEGIN [A-Z ]*PRIVATE KEY/);
            assert.match(specs, new RegExp(`nomadVar \\\\"nomad/jobs/${database}-engine\\\\" }}{{ \\.tls_key }}`));
        });

        it("fills each job's Variable with exactly the items its tasks read, all secret", () => {
            for (const [id, items] of [[`${database}-engine`, ["tls_cert", "tls_key"]], [`${database}-configure`, ["owner_password"]]] as const) {
                const variable = ofType(run(), VARIABLE).find((v) => v.inputs["path"] === `nomad/jobs/${id}`);
                assert.ok(variable, `no Variable at nomad/jobs/${id}`);
                assert.equal(variable.inputs["items"], REDACTED);
                const keys = Object.keys(variable.rawInputs["items"] as Record<string, string>).sort();
                const spec = String(one(run(), JOB, `${id}-job`).rawInputs["jobspec"]);
                const read = [...spec.matchAll(/\{\{ \.([a-z_0-9]+) \}\}/g)].map((m) => m[1]!);
                assert.deepEqual(keys, [...new Set(read)].sort(), `${id}: the Variable holds what the job reads`);
                for (const item of items) assert.ok(keys.includes(item), `${id} lacks ${item}`);
            }
            assert.ok(!ofType(run(), VARIABLE).some((v) => v.inputs["path"] === `nomad/jobs/${database}-sql`), "the sql job reads no secret");
        });

        it("outputs connection with the floating IP, the port, the owner, verify-full and the database's CA; password and uri secret", () => {
            const c = run().outputs["connection"] as Record<string, unknown>;
            const raw = run().rawOutputs["connection"] as Record<string, string>;
            assert.deepEqual(run().secretOutputs.filter((s) => s.startsWith("connection.")), ["connection.password", "connection.uri"]);
            assert.equal(c["host"], run().outputs["address"]);
            assert.deepEqual([c["port"], c["database"], c["user"], c["sslmode"], c["password"], c["uri"]], [ENGINES[engine as EngineName].port, database, database, "verify-full", REDACTED, REDACTED]);
            assert.match(String(c["caCert"]), /BEGIN CERTIFICATE/);
            assert.ok(raw["uri"]!.includes(raw["password"]!) && raw["uri"]!.includes(`@${String(c["host"])}:`), "the uri carries the password and the address");
            assert.match(String(run().outputs["image"]), new RegExp(`^docker\\.io/library/${engine === "postgresql" ? "postgres" : "mariadb"}:${String(c["version"]).replace(/\./g, "\\.")}-`));
        });

        it("writes artifacts/connection.yml with no secret, saying where the password is", () => {
            const text = run().artifacts["connection.yml"]!;
            const doc = parse(text) as Record<string, unknown>;
            assert.equal(doc["host"], run().outputs["address"]);
            assert.equal(doc["database"], database);
            assert.deepEqual(leakedSecrets(run(), text), []);
            assert.doesNotMatch(text, /\[secret\]/);
            assert.match(String((doc["password"] as Record<string, string>)["read"]), /--show-secrets/);
            assert.deepEqual(leakedSecrets(run(), everythingWritten(run())), []);
        });

        it("issues the server's certificate for the floating IP, from the database's own CA", () => {
            const csr = ofType(run(), "tls:index/certRequest:CertRequest").find((r) => r.name.includes("server-tls"));
            assert.ok(csr);
            assert.deepEqual(csr.inputs["ipAddresses"], [run().outputs["address"]]);
            const signer = ofType(run(), "tls:index/locallySignedCert:LocallySignedCert").find((r) => r.name.includes("server-tls"));
            assert.ok(signer && signer.dependsOn.some((u) => u.includes("-engine-ca")), "signed by the database's CA");
        });

        it("lists the database in the platform's catalog (Consul KV), with no secret", () => {
            const keys = ofType(run(), "consul:index/keys:Keys")[0];
            assert.ok(keys);
            const [entry] = keys.inputs["keys"] as { path: string; value: string }[];
            assert.equal(entry!.path, `dbaas/databases/${database}`);
            assert.deepEqual(Object.keys(JSON.parse(entry!.value)), ["engine", "version", "address", "port"]);
        });

        it("registers the engine once the cluster is configured, configure after the engine, each after its Variable", () => {
            const engineJob = one(run(), JOB, `${database}-engine-job`);
            const configureJob = one(run(), JOB, `${database}-configure-job`);
            const urnOf = (type: string, name: string) => one(run(), type, name).urn;
            assert.ok(engineJob.dependsOn.includes(urnOf("command:remote:Command", `${database}-pacemaker-configure`)));
            assert.ok(engineJob.dependsOn.includes(urnOf(VARIABLE, `${database}-engine-engine-secrets`)));
            assert.ok(configureJob.dependsOn.includes(engineJob.urn));
            assert.ok(configureJob.dependsOn.includes(urnOf(VARIABLE, `${database}-engine-configure-secrets`)));
        });
    });
}

describe("the configure job runs again only when its inputs change", () => {
    const fingerprint = (r: StackRun) => (JSON.parse(String(one(r, JOB, "my-first-db-configure-job").inputs["jobspec"])) as { Job: { Meta: Record<string, string> } }).Job.Meta["dbaas.inputs"];

    it("same config, same job; one more user, a new fingerprint (a new job version, which runs)", async () => {
        const a = fingerprint(await runStack("Pulumi.my-first-db.yaml"));
        const b = fingerprint(await runStack("Pulumi.my-first-db.yaml"));
        const c = fingerprint(await runStack("Pulumi.my-first-db.yaml", { overrides: { "dbaas:users": '[{"name": "reporting", "access": "read"}, {"name": "etl", "access": "write"}]' } }));
        assert.match(String(a), /^[0-9a-f]{64}$/);
        assert.equal(a, b);
        assert.notEqual(a, c);
    });
});
