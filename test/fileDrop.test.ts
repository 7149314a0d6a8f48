/** The installer of files sent over SSH, run for real (python3) into a scratch root. */
import * as assert from "assert";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { FILE_DROP_INSTALLER, fileDropCommand, fileDropPayload } from "../render/fileDrop";
import { run } from "./support/exec";

/** Every file under a folder, recursively (absolute paths). */
function filesUnder(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe("render/fileDrop: the installer of secret files", () => {
    let root: string;
    let installer: string;
    let fedTo: string;
    let feeder: string;
    beforeEach(() => {
        root = mkdtempSync(join(tmpdir(), "dbaas-drop-"));
        const side = mkdtempSync(join(tmpdir(), "dbaas-drop-side-"));
        installer = join(side, "installer.py");
        writeFileSync(installer, FILE_DROP_INSTALLER, { mode: 0o755 });
        // A stand-in for chpasswd: records what it read on stdin, outside the machine's root.
        fedTo = join(side, "fed");
        feeder = join(side, "feeder");
        writeFileSync(feeder, `#!/bin/sh\ncat >> '${fedTo}'\n`, { mode: 0o755 });
    });
    afterEach(() => {
        rmSync(root, { recursive: true, force: true });
        rmSync(join(installer, ".."), { recursive: true, force: true });
    });

    const files = [
        { path: "/etc/consul.d/secrets.json", content: '{"encrypt":"k"}\n', mode: "0640", owner: "root", group: "root", restart: ["consul"] },
        { path: "/etc/nomad.d/tls/agent-key.pem", content: "KEY\n", mode: "0600", owner: "root", group: "root" },
    ];
    const install = (payload: string) => run("python3", [installer, "--root", root], { input: payload });

    it("writes every file with its mode, and says it changed something and which units to restart", () => {
        const r = install(fileDropPayload({ files }));
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "changed consul");
        assert.equal(readFileSync(join(root, "etc/consul.d/secrets.json"), "utf8"), '{"encrypt":"k"}\n');
        assert.equal(statSync(join(root, "etc/consul.d/secrets.json")).mode & 0o7777, 0o640);
        assert.equal(statSync(join(root, "etc/nomad.d/tls/agent-key.pem")).mode & 0o7777, 0o600);
    });

    it("is harmless when re-run: the same payload changes nothing", () => {
        install(fileDropPayload({ files }));
        const again = install(fileDropPayload({ files }));
        assert.equal(again.stdout.trim(), "unchanged");
    });

    it("rewrites a file whose content or mode differs, restarting only that file's units", () => {
        install(fileDropPayload({ files }));
        const changed = install(fileDropPayload({ files: [{ ...files[1], content: "NEW KEY\n" }] }));
        assert.equal(changed.stdout.trim(), "changed");
        assert.equal(readFileSync(join(root, "etc/nomad.d/tls/agent-key.pem"), "utf8"), "NEW KEY\n");
        const remoded = install(fileDropPayload({ files: [{ ...files[0], mode: "0600" }] }));
        assert.equal(remoded.stdout.trim(), "changed consul");
        assert.equal(statSync(join(root, "etc/consul.d/secrets.json")).mode & 0o7777, 0o600);
    });

    it("writes base64 content as bytes (binary keys)", () => {
        const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
        const r = install(fileDropPayload({ files: [{ path: "/etc/corosync/authkey", content: bytes.toString("base64"), mode: "0400", owner: "root", group: "root", encoding: "base64" }] }));
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(readFileSync(join(root, "etc/corosync/authkey")), bytes);
        assert.throws(() => fileDropPayload({ files: [{ ...files[0], encoding: "base64", content: "not base64!" }] }), /not base64/);
    });

    it("feeds a secret to a command's stdin, never to disk, and a feed is not a change", () => {
        const drop = { files, feeds: [{ command: feeder, input: "hacluster:FED-SECRET-VALUE\n" }] };
        assert.equal(install(fileDropPayload(drop)).stdout.trim(), "changed consul");
        const again = install(fileDropPayload(drop));
        assert.equal(again.stdout.trim(), "unchanged", "a re-run with the same payload changes nothing");
        assert.equal(readFileSync(fedTo, "utf8"), "hacluster:FED-SECRET-VALUE\nhacluster:FED-SECRET-VALUE\n", "the command read it on each run");
        for (const f of filesUnder(root)) assert.doesNotMatch(readFileSync(f, "utf8"), /FED-SECRET-VALUE/, `${f} holds the fed secret`);
        assert.doesNotMatch(again.stdout + again.stderr, /FED-SECRET-VALUE/);
    });

    it("fails when a feed's command fails, saying which (and nothing of the input)", () => {
        chmodSync(feeder, 0o755);
        writeFileSync(feeder, "#!/bin/sh\ncat >/dev/null; echo 'no such user' >&2; exit 3\n");
        const r = install(fileDropPayload({ files: [], feeds: [{ command: feeder, input: "hacluster:FED-SECRET-VALUE\n" }] }));
        assert.equal(r.status, 1);
        assert.match(r.stderr, /feeder exited 3: no such user/);
        assert.doesNotMatch(r.stdout + r.stderr, /FED-SECRET-VALUE/);
    });

    it("removes the files that must not exist (once: a change), e.g. an earlier version's password file", () => {
        mkdirSync(join(root, "etc/dbaas"), { recursive: true });
        writeFileSync(join(root, "etc/dbaas/hacluster.chpasswd"), "hacluster:old\n");
        const drop = { files: [], absent: ["/etc/dbaas/hacluster.chpasswd"] };
        assert.equal(install(fileDropPayload(drop)).stdout.trim(), "changed");
        assert.ok(!existsSync(join(root, "etc/dbaas/hacluster.chpasswd")));
        assert.equal(install(fileDropPayload(drop)).stdout.trim(), "unchanged");
    });

    it("prints nothing of the content", () => {
        const r = install(fileDropPayload({ files: [{ ...files[0], content: "TOP-SECRET-VALUE" }] }));
        assert.doesNotMatch(r.stdout + r.stderr, /TOP-SECRET-VALUE/);
    });

    it("refuses relative paths, bad modes and bad unit names before anything is sent", () => {
        assert.throws(() => fileDropPayload({ files: [{ ...files[0], path: "etc/x" }] }), /absolute/);
        assert.throws(() => fileDropPayload({ files: [{ ...files[0], path: "/etc/../root/x" }] }), /absolute and plain/);
        assert.throws(() => fileDropPayload({ files: [{ ...files[0], mode: "640" }] }), /octal/);
        assert.throws(() => fileDropPayload({ files: [{ ...files[0], restart: ["consul; reboot"] }] }), /unit name/);
        assert.throws(() => fileDropPayload({ files: [], feeds: [{ command: "chpasswd", input: "x" }] }), /absolute/);
        assert.throws(() => fileDropPayload({ files: [], absent: ["tmp/x"] }), /absolute/);
    });

    /** Runs the remote command with stand-ins: cloud-init succeeds, the installer prints and exits as `installer` says, systemctl calls are logged. */
    function remoteCommand(installer: string): { status: number | null; stdout: string; stderr: string; systemctl: string | null } {
        const bin = mkdtempSync(join(tmpdir(), "dbaas-drop-bin-"));
        try {
            const log = join(bin, "log");
            const stub = (name: string, body: string) => writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
            stub("cloud-init", "exit 0");
            stub("sudo", `if [ "$1" = systemctl ]; then echo "$*" >> '${log}'; exit 0; fi\n${installer}`);
            const r = run("sh", ["-c", `PATH='${bin}':$PATH; ${fileDropCommand(["consul"])}`]);
            return { status: r.status, stdout: r.stdout, stderr: r.stderr, systemctl: existsSync(log) ? readFileSync(log, "utf8") : null };
        } finally {
            rmSync(bin, { recursive: true, force: true });
        }
    }

    it("the remote command restarts exactly the units the installer names, then starts its own", () => {
        const r = remoteCommand('echo "changed consul nomad"');
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "files changed\n");
        assert.equal(r.systemctl, "systemctl enable consul\nsystemctl restart consul nomad\nsystemctl start consul\n");
    });

    it("the remote command fails when the installer fails, and restarts or starts nothing", () => {
        const r = remoteCommand('echo "changed consul"; exit 3');
        assert.equal(r.status, 3, r.stdout);
        assert.equal(r.stdout, "");
        assert.equal(r.systemctl, null, "no systemctl after a failed install");
    });
});
