/**
 * The backups of a database stack under the mock runtime, on both example database configs:
 * the protected containers, the Swift-only credential, the backup, restore, listing and drill
 * jobs (schema-valid, as the offline plan writes them, no secret in them), their Variables, the
 * final backup that `pulumi destroy` takes first; then a secondary cloud and a restoreFrom.
 */
import * as assert from "assert";
import { StackRun } from "../plan/run";
import { REDACTED } from "../render/redacted";
import { nomadJobErrors } from "./support/nomadSchema";
import { everythingWritten, leakedSecrets, ofType, one, rootOf } from "./support/resources";
import { useStackRun } from "./support/fixtures";

const JOB = "nomad:index/job:Job";
const VARIABLE = "nomad:index/variable:Variable";
const CONTAINER = "openstack:objectstorage/container:Container";
const COMMAND = "command:local:Command";
type Task = { Name: string; Lifecycle?: { Hook: string; Sidecar: boolean }; Config: Record<string, unknown>; Env: Record<string, string>; Templates: { DestPath: string; EmbeddedTmpl: string }[] };
type Job = { Job: { ID: string; Type: string; Periodic?: Record<string, unknown>; ParameterizedJob?: Record<string, unknown>; TaskGroups: { Tasks: Task[] }[] } };

const jobOf = (run: StackRun, id: string): Job => JSON.parse(String(one(run, JOB, `${id}-job`).inputs["jobspec"])) as Job;
const tasksOf = (run: StackRun, id: string): Task[] => jobOf(run, id).Job.TaskGroups[0]!.Tasks;

/** Each Variable holds exactly the items its job's templates read, all secret. */
function variablesMatchJobs(run: StackRun, ids: readonly string[]): void {
    for (const id of ids) {
        const variable = ofType(run, VARIABLE).find((v) => v.inputs["path"] === `nomad/jobs/${id}`);
        assert.ok(variable, `no Variable at nomad/jobs/${id}`);
        assert.equal(variable.inputs["items"], REDACTED);
        const keys = Object.keys(variable.rawInputs["items"] as Record<string, string>).sort();
        const read = [...String(one(run, JOB, `${id}-job`).rawInputs["jobspec"]).matchAll(/\{\{ \.([a-z_0-9]+) \}\}/g)].map((m) => m[1]!);
        assert.deepEqual(keys, [...new Set(read)].sort(), `${id}: the Variable holds what the job reads`);
    }
}

for (const [file, database] of [["Pulumi.my-first-db.yaml", "my-first-db"], ["Pulumi.my-first-mariadb.yaml", "shop"]] as const) {
    describe(`the backups of ${file} (mock runtime)`, () => {
        const run = useStackRun(file);
        const ids = ["backup", "restore", "backups", "restore-drill"].map((k) => `${database}-${k}`);

        it("declares the backup container and its segments container, protected and retained on delete, under the Database", () => {
            const containers = ofType(run(), CONTAINER);
            assert.deepEqual(containers.map((c) => c.inputs["name"]).sort(), [`${database}-backups`, `${database}-backups_segments`]);
            for (const c of containers) {
                assert.ok(c.protect && c.retainOnDelete, `${c.name}: protect and retainOnDelete`);
                assert.equal(rootOf(run(), c).type, "dbaas:index:Database");
            }
            assert.equal(run().outputs["backups"] && (run().outputs["backups"] as Record<string, unknown>)["container"], `${database}-backups`);
        });

        it("gives the jobs a restricted application credential that may only use Swift on those containers", () => {
            const cred = one(run(), "openstack:identity/applicationCredential:ApplicationCredential", `${database}-backup-storage-backups`);
            assert.equal(cred.inputs["unrestricted"], false);
            const rules = cred.inputs["accessRules"] as { service: string; method: string; path: string }[];
            assert.ok(rules.length > 0 && rules.every((r) => r.service === "object-store" && r.path.includes(`/${database}-backups`)));
        });

        it("registers the backup, restore, backups and restore-drill jobs as the offline plan writes them, each valid against the strict schema", () => {
            for (const id of ids) {
                const spec = String(one(run(), JOB, `${id}-job`).inputs["jobspec"]);
                assert.equal(spec, run().artifacts[`nomad/${id}.json`]);
                assert.deepEqual(nomadJobErrors(JSON.parse(spec)), [], id);
            }
            const backup = jobOf(run(), `${database}-backup`).Job;
            assert.deepEqual(backup.Periodic, { Enabled: true, SpecType: "cron", Specs: ["0 3 * * *"], ProhibitOverlap: true, TimeZone: "UTC" });
            assert.deepEqual(tasksOf(run(), `${database}-backup`).map((t) => [t.Name, t.Config["image"]]), [["dump", run().outputs["image"]], ["upload", "rclone/rclone:1.60.1"]]);
            assert.deepEqual(jobOf(run(), `${database}-restore`).Job.ParameterizedJob, { Payload: "forbidden", MetaRequired: ["backup"], MetaOptional: ["cloud"] });
            assert.equal(jobOf(run(), `${database}-restore-drill`).Job.Periodic?.["Specs"] && (jobOf(run(), `${database}-restore-drill`).Job.Periodic!["Specs"] as string[])[0], "30 4 * * 0");
        });

        it("the drill: fetch first, a throw-away engine without network beside the restore, the result recorded in Consul at dbaas/databases/<name>/restore-drill", () => {
            const tasks = tasksOf(run(), `${database}-restore-drill`);
            assert.deepEqual(tasks.map((t) => [t.Name, t.Lifecycle?.Hook ?? "main", t.Lifecycle?.Sidecar ?? false]),
                [["fetch", "prestart", false], ["scratch", "prestart", true], ["drill", "main", false], ["record", "poststop", false]]);
            for (const t of tasks.filter((x) => x.Name === "scratch" || x.Name === "drill")) {
                assert.equal(t.Config["network_mode"], "none", `${t.Name} has no network`);
                assert.equal((t as unknown as { VolumeMounts: unknown[] }).VolumeMounts.length, 0, `${t.Name} mounts no host volume (never the data)`);
            }
            const record = tasks.find((t) => t.Name === "record")!;
            assert.equal(record.Env["DBAAS_DRILL_KEY"], `dbaas/databases/${database}/restore-drill`);
            assert.equal(record.Config["image"], "docker.io/hashicorp/consul:1.20.2");
            const policy = one(run(), "consul:index/aclPolicy:AclPolicy", `${database}-backups-drill`);
            assert.deepEqual(JSON.parse(String(policy.inputs["rules"])), { key: { [`dbaas/databases/${database}/restore-drill`]: { policy: "write" } } });
            assert.equal(run().outputs["backups"] && (run().outputs["backups"] as Record<string, unknown>)["restoreDrillKey"], `dbaas/databases/${database}/restore-drill`);
        });

        it("fills each job's Variable with exactly what its templates read; no secret in a jobspec or a plain output; backupKey is secret", () => {
            variablesMatchJobs(run(), ids);
            const specs = ids.map((id) => String(one(run(), JOB, `${id}-job`).rawInputs["jobspec"])).join("\n");
            assert.deepEqual(leakedSecrets(run(), specs), []);
            assert.deepEqual(leakedSecrets(run(), everythingWritten(run())), []);
            assert.ok(run().secretOutputs.includes("backupKey"));
            assert.equal(run().outputs["backupKey"], REDACTED);
            assert.match(specs, /rclone\.conf/);
        });

        it("takes a final backup when the stack is destroyed: a command whose delete runs the backup job and waits, deleted before the jobs, the engine and the containers", () => {
            const final = one(run(), COMMAND, `${database}-backups-final-backup`);
            assert.match(String(final.inputs["delete"]), new RegExp(`^node cli/dbaas\\.js backup --job ${database}-backup --nomad-from-env --timeout \\d+$`));
            assert.equal(final.inputs["create"], undefined);
            const env = final.inputs["environment"] as Record<string, string>;
            assert.equal(env["DBAAS_NOMAD_TOKEN"], REDACTED, "the token is a secret");
            const urn = (type: string, name: string) => one(run(), type, name).urn;
            for (const dep of [urn(JOB, `${database}-backup-job`), urn(JOB, `${database}-engine-job`), ...ofType(run(), CONTAINER).map((c) => c.urn)]) {
                assert.ok(final.dependsOn.includes(dep), `the final backup depends on ${dep}, so destroy deletes it first`);
            }
        });
    });
}

describe("backups to a secondary cloud (mock runtime)", () => {
    const secondary = { authUrl: "https://keystone.two.example.org:5000/v3", region: "RegionTwo", credentialId: "cred-two" };
    const run = useStackRun("Pulumi.my-first-db.yaml", {
        overrides: { "dbaas:backup": JSON.stringify({ secondary }) },
        secrets: { "dbaas:backupSecondarySecret": "MOCKSECRET-secondary-credential" },
    });

    it("creates the containers there too, through its own provider, protected and retained", () => {
        const containers = ofType(run(), CONTAINER);
        assert.equal(containers.length, 4);
        assert.ok(containers.every((c) => c.protect && c.retainOnDelete));
        const provider = run().resources.find((r) => r.type === "pulumi:providers:openstack" && r.name.endsWith("-secondary"));
        assert.ok(provider, "an OpenStack provider for the secondary cloud");
        assert.equal(provider.inputs["applicationCredentialSecret"], REDACTED);
    });

    it("the backup job copies there (its rclone.conf has both clouds), and no secret leaks", () => {
        const upload = tasksOf(run(), "my-first-db-backup").find((t) => t.Name === "upload")!;
        assert.equal(upload.Env["DBAAS_BACKUP_SECONDARY"], "1");
        const conf = upload.Templates.find((t) => t.DestPath === "secrets/rclone.conf")!.EmbeddedTmpl;
        assert.match(conf, /\[secondary_store\][^[]*auth = https:\/\/keystone\.two\.example\.org:5000\/v3/);
        assert.match(conf, /application_credential_id = cred-two/);
        variablesMatchJobs(run(), ["my-first-db-backup", "my-first-db-restore-drill"]);
        assert.deepEqual(leakedSecrets(run(), everythingWritten(run())), []);
        assert.deepEqual(nomadJobErrors(jobOf(run(), "my-first-db-backup")), []);
    });
});

describe("a new database restored from a backup (dbaas:restoreFrom, mock runtime)", () => {
    const run = useStackRun("Pulumi.my-first-db.yaml", {
        overrides: { "dbaas:restoreFrom": JSON.stringify({ container: "old-db-backups", database: "old-db" }) },
        secrets: { "dbaas:restoreKey": "MOCKSECRETpassword:MOCKSECRETsalt" },
    });

    it("restores in the configure job before the configure task, which runs only once the restore left its mark", () => {
        const job = jobOf(run(), "my-first-db-configure");
        assert.deepEqual(nomadJobErrors(job), []);
        const tasks = job.Job.TaskGroups[0]!.Tasks;
        assert.deepEqual(tasks.map((t) => [t.Name, t.Lifecycle?.Hook ?? "main"]), [["wait-for-engine", "prestart"], ["restore-fetch", "prestart"], ["restore", "main"], ["configure", "poststop"]]);
        const fetch = tasks.find((t) => t.Name === "restore-fetch")!;
        assert.equal(fetch.Env["DBAAS_DATABASE"], "old-db");
        assert.equal(fetch.Env["DBAAS_RESTORE_BACKUP"], "latest");
        assert.match(fetch.Templates.find((t) => t.DestPath === "secrets/rclone.conf")!.EmbeddedTmpl, /remote = primary_store:old-db-backups/);
        const mark = fetch.Env["DBAAS_RESTORE_MARK"]!;
        assert.match(mark, /^\/srv\/my-first-db\/postgresql\/16\/\.dbaas-restored$/);
        const configure = tasks.find((t) => t.Name === "configure")!;
        assert.ok((configure.Config["args"] as string[]).includes(mark), "the configure task checks the mark");
    });

    it("reads the source's key from the secret config, through the configure job's Variable only", () => {
        variablesMatchJobs(run(), ["my-first-db-configure"]);
        assert.deepEqual(leakedSecrets(run(), everythingWritten(run())), []);
        assert.doesNotMatch(everythingWritten(run()), /MOCKSECRETpassword|MOCKSECRETsalt/);
    });
});

describe("a stack that deletes its data (dbaas:deleteData: true, mock runtime)", () => {
    const run = useStackRun("Pulumi.my-first-db.yaml", { overrides: { "dbaas:deleteData": "true" } });

    it("lets pulumi destroy delete the backup containers with their objects, and takes no final backup", () => {
        const containers = ofType(run(), "openstack:objectstorage/container:Container");
        assert.equal(containers.length, 2);
        for (const c of containers) {
            assert.deepEqual([c.protect, c.retainOnDelete, c.inputs["forceDestroy"]], [false, false, true], c.name);
        }
        assert.ok(!run().resources.some((r) => r.name.endsWith("-final-backup")), "no final backup: the backups go with the stack");
        const volume = ofType(run(), "openstack:blockstorage/volume:Volume")[0]!;
        assert.deepEqual([volume.protect, volume.retainOnDelete], [false, false]);
    });
});
