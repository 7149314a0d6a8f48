/** The backup job builders (pure): what their tasks mount and read, and what they refuse. */
import * as assert from "assert";
import { engineOf, EngineInstance, resolveVersion } from "../engines";
import { backupJob, BackupTarget, restoreDrillJob, DRILL_SOCKET_DIR } from "../jobs";
import { variableTemplate } from "../jobs/backupParts";
import { nomadJobErrors } from "./support/nomadSchema";

const P = { database: "shop", datacenter: "dc1", region: "global" };
const STORE = { auth: { kind: "keystone" as const, authUrl: "https://k.example.org:5000/v3", region: "R1", applicationCredentialId: "id" }, container: "shop-backups", chunkSize: "1G" };

function instance(socketDir?: string): EngineInstance {
    const v = resolveVersion("mariadb", "11.4");
    if (!v.ok) throw new Error(v.message);
    return { database: "shop", mountpoint: "/srv/shop", version: v.version, size: { ramMb: 4096, vcpus: 2 }, volumeGb: 20, users: [], schemas: ["orders"], ...(socketDir ? { paths: { socketDir } } : {}) };
}
const target = (inst: EngineInstance): BackupTarget => ({
    spec: engineOf("mariadb").backupSpec(inst), image: inst.version.image, version: inst.version.minor, socketDir: "/run/mysqld", stores: { primary: STORE, secondary: { ...STORE, container: "shop-backups" } },
});
type Task = { Name: string; VolumeMounts: { Volume: string; Destination: string }[]; User?: string; Templates: { DestPath: string; EmbeddedTmpl: string }[] };

describe("backup job builders", () => {
    it("the backup job: the dump as root over MariaDB's socket (the only host volume), the upload with both clouds; valid", () => {
        const job = backupJob(P, { ...target(instance()), schedule: "@daily", retention: { daily: 7, weekly: 4, incompleteGraceHours: 24 } });
        assert.deepEqual(nomadJobErrors(job), []);
        const [dump, upload] = (job.Job["TaskGroups"] as { Tasks: Task[]; Volumes: Record<string, unknown> }[])[0]!.Tasks;
        assert.deepEqual(dump!.VolumeMounts.map((m) => [m.Volume, m.Destination]), [["socket", "/run/mysqld"]]);
        assert.equal(dump!.User, undefined, "MariaDB's dump runs as root (unix_socket)");
        assert.deepEqual(upload!.VolumeMounts, []);
        const conf = upload!.Templates.find((t) => t.DestPath === "secrets/rclone.conf")!.EmbeddedTmpl;
        assert.match(conf, /\[primary\][\s\S]*\[secondary\]/);
        assert.ok([...conf.matchAll(/nomadVar "([^"]+)"/g)].every((m) => m[1] === "nomad/jobs/shop-backup"), "reads its own Variable only");
        assert.deepEqual(Object.keys((job.Job["TaskGroups"] as { Volumes: Record<string, unknown> }[])[0]!.Volumes), ["socket"], "never the data volume");
    });

    it("the drill refuses commands that do not reach the throw-away engine's socket", () => {
        const live = instance();
        const args = { ...target(live), scratch: engineOf("mariadb").scratchTask(live), schedule: "@weekly", consulImage: "docker.io/hashicorp/consul:1.20.2", resultKey: "dbaas/databases/shop/restore-drill" };
        assert.throws(() => restoreDrillJob(P, args), /must reach the throw-away engine at \/alloc\/drill-socket/);
        const scratch = instance(DRILL_SOCKET_DIR);
        assert.deepEqual(nomadJobErrors(restoreDrillJob(P, { ...args, spec: engineOf("mariadb").backupSpec(scratch), scratch: engineOf("mariadb").scratchTask(scratch) })), []);
    });

    it("a secret template may read its own job's Variable, and nothing else", () => {
        const own = '{{ with nomadVar "nomad/jobs/shop-backup" }}{{ .primary_crypt_password }}{{ end }}';
        assert.equal(variableTemplate("secrets/x", `a = ${own}\n`, "shop-backup")["Perms"], "0400");
        assert.throws(() => variableTemplate("secrets/x", own.replace("shop-backup", "other-backup"), "shop-backup"), /may read only nomad\/jobs\/shop-backup/);
        assert.throws(() => variableTemplate("secrets/x", `${own}{{ env "HOME" }}`, "shop-backup"), /and nothing else/);
        assert.throws(() => variableTemplate("local/x", own, "shop-backup"), /goes under secrets\//);
    });
});
