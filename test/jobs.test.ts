/**
 * The Nomad job builders (jobs/), on a sample task spec: each job validates against the strict
 * schema of Nomad's API structs (../shared/schemas), which — unlike Nomad — rejects a misspelled
 * field; the jobs' placement, volumes, files and secrets are what the design says.
 */
import * as assert from "assert";
import { configureJob, engineJob, NomadJob, sqlJob, TaskSpec, variablePath } from "../jobs";
import { nomadJobErrors } from "./support/nomadSchema";

const PLACEMENT = { database: "orders", datacenter: "dc1", region: "global" };
const TASK: TaskSpec = {
    image: "docker.io/library/postgres:16.11-bookworm",
    args: ["postgres", "-c", "config_file=/local/postgresql.conf"],
    env: { PGDATA: "/srv/orders/postgresql/16" },
    files: [
        { destination: "local/postgresql.conf", content: "port = 5432\n" },
        { destination: "secrets/server.key", secret: "tls_key", perms: "0600", uid: 999, gid: 999 },
    ],
    volumes: [{ volume: "data", destination: "/srv/orders" }, { volume: "socket", destination: "/var/run/postgresql" }],
    port: 5432,
    memoryMb: 3686,
    healthCheck: { command: "pg_isready", args: ["-h", "/var/run/postgresql"] },
    killSignal: "SIGINT",
    killTimeoutSeconds: 120,
};

const WAIT: TaskSpec = { image: TASK.image, command: "bash", args: ["/local/wait.sh"], env: {}, files: [{ destination: "local/wait.sh", content: "until pg_isready; do sleep 2; done\n" }], volumes: [{ volume: "socket", destination: "/var/run/postgresql" }] };

function jobs(): NomadJob[] {
    return [
        engineJob(PLACEMENT, { task: TASK, meta: { "dbaas.engine": "postgresql" } }),
        configureJob(PLACEMENT, { wait: WAIT, task: TASK, inputsFingerprint: "abc" }),
        sqlJob(PLACEMENT, TASK),
    ];
}

describe("Nomad job builders (jobs/)", () => {
    it("every job is valid against the strict Nomad job schema", () => {
        for (const job of jobs()) assert.deepEqual(nomadJobErrors(job), [], job.Job.ID);
    });

    it("the schema rejects a misspelled field (Nomad would silently drop it)", () => {
        const [engine] = jobs();
        const group = (engine!.Job["TaskGroups"] as Record<string, unknown>[])[0]!;
        const misspelled = { Job: { ...engine!.Job, TaskGroups: [{ ...group, Volume: group["Volumes"] }] } };
        assert.ok(nomadJobErrors(misspelled).some((e) => /Volume\b/.test(e)), nomadJobErrors(misspelled).join("\n"));
        const camel = { Job: { ...engine!.Job, killTimeout: 5 } };
        assert.notDeepEqual(nomadJobErrors(camel), []);
    });

    it("runs only on this database's nodes, with the data and socket host volumes where the task says", () => {
        for (const { Job: job } of jobs()) {
            assert.ok(job.ID.startsWith("orders-"));
            assert.deepEqual(job["Constraints"], [{ LTarget: "${meta.dbaas.database}", Operand: "=", RTarget: "orders" }]);
            for (const group of job["TaskGroups"] as { Volumes: Record<string, { Source: string }>; Tasks: { Name: string; VolumeMounts: unknown[] }[] }[]) {
                assert.deepEqual(Object.values(group.Volumes).map((v) => v.Source), ["data", "socket"]);
                for (const task of group.Tasks.filter((t) => t.Name !== "wait-for-engine")) {
                    assert.deepEqual(task.VolumeMounts, [
                        { Volume: "data", Destination: "/srv/orders", ReadOnly: false },
                        { Volume: "socket", Destination: "/var/run/postgresql", ReadOnly: false },
                    ]);
                }
            }
        }
    });

    it("configure waits for the engine (the engine's wait task, a prestart), with no secret", () => {
        const group = (jobs()[1]!.Job["TaskGroups"] as { Tasks: Record<string, unknown>[] }[])[0]!;
        const wait = group.Tasks[0]!;
        assert.equal(wait["Name"], "wait-for-engine");
        assert.deepEqual(wait["Lifecycle"], { Hook: "prestart", Sidecar: false });
        assert.deepEqual(wait["VolumeMounts"], [{ Volume: "socket", Destination: "/var/run/postgresql", ReadOnly: false }]);
        assert.ok(!JSON.stringify(wait["Templates"]).includes("nomadVar"));
    });

    it("reads secrets from the job's own Nomad Variable, never from the jobspec", () => {
        const [engine] = jobs();
        const text = JSON.stringify(engine);
        assert.ok(text.includes(`{{ with nomadVar \\"${variablePath("orders-engine")}\\" }}{{ .tls_key }}{{ end }}`), text);
        assert.throws(() => engineJob(PLACEMENT, { task: { ...TASK, files: [{ destination: "local/x", content: "{{ env }}" }] }, meta: {} }), /must not contain/);
    });

    it("the engine: its port on the host, a Consul service named after the database with the engine's check, its clean shutdown", () => {
        const [engine] = jobs();
        const group = (engine!.Job["TaskGroups"] as Record<string, unknown>[])[0] as Record<string, unknown> & { Tasks: Record<string, unknown>[] };
        assert.deepEqual(group["Networks"], [{ Mode: "host", ReservedPorts: [{ Label: "db", Value: 5432 }] }]);
        const service = (group["Services"] as Record<string, unknown>[])[0]!;
        assert.equal(service["Name"], "orders");
        assert.equal((service["Checks"] as Record<string, unknown>[])[0]!["Command"], "pg_isready");
        assert.equal(group.Tasks[0]!["KillSignal"], "SIGINT");
        assert.equal(group.Tasks[0]!["KillTimeout"], 120e9);
        assert.deepEqual(group.Tasks[0]!["Resources"], { CPU: 1000, MemoryMB: 3686 });
    });

    it("sql is parameterized (its payload is the SQL file) and never retried", () => {
        const sql = jobs()[2]!.Job;
        assert.deepEqual(sql["ParameterizedJob"], { Payload: "required", MetaRequired: [], MetaOptional: [] });
        const group = (sql["TaskGroups"] as Record<string, unknown>[])[0]!;
        assert.deepEqual(group["RestartPolicy"], { Attempts: 0, Mode: "fail" });
        assert.deepEqual((group["Tasks"] as Record<string, unknown>[])[0]!["DispatchPayload"], { File: "payload.sql" });
    });
});
