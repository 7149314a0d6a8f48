/** The installer of files sent over SSH, run for real (python3) into a scratch root. */
import * as assert from "assert";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { FILE_DROP_INSTALLER, fileDropPayload } from "../render/fileDrop";
import { run } from "./support/exec";

describe("render/fileDrop: the installer of secret files", () => {
    let root: string;
    let installer: string;
    beforeEach(() => {
        root = mkdtempSync(join(tmpdir(), "dbaas-drop-"));
        installer = join(root, "..", `${root.split("/").pop()}-installer.py`);
        writeFileSync(installer, FILE_DROP_INSTALLER, { mode: 0o755 });
    });
    afterEach(() => {
        rmSync(root, { recursive: true, force: true });
        rmSync(installer, { force: true });
    });

    const files = [
        { path: "/etc/consul.d/secrets.json", content: '{"encrypt":"k"}\n', mode: "0640", owner: "root", group: "root" },
        { path: "/etc/nomad.d/tls/agent-key.pem", content: "KEY\n", mode: "0600", owner: "root", group: "root" },
    ];
    const install = (payload: string) => run("python3", [installer, "--root", root], { input: payload });

    it("writes every file with its mode, and says it changed something", () => {
        const r = install(fileDropPayload(files));
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "changed");
        assert.equal(readFileSync(join(root, "etc/consul.d/secrets.json"), "utf8"), '{"encrypt":"k"}\n');
        assert.equal(statSync(join(root, "etc/consul.d/secrets.json")).mode & 0o7777, 0o640);
        assert.equal(statSync(join(root, "etc/nomad.d/tls/agent-key.pem")).mode & 0o7777, 0o600);
    });

    it("is harmless when re-run: the same payload changes nothing", () => {
        install(fileDropPayload(files));
        const again = install(fileDropPayload(files));
        assert.equal(again.stdout.trim(), "unchanged");
    });

    it("rewrites a file whose content or mode differs", () => {
        install(fileDropPayload(files));
        const changed = install(fileDropPayload([{ ...files[1], content: "NEW KEY\n" }]));
        assert.equal(changed.stdout.trim(), "changed");
        assert.equal(readFileSync(join(root, "etc/nomad.d/tls/agent-key.pem"), "utf8"), "NEW KEY\n");
        const remoded = install(fileDropPayload([{ ...files[0], mode: "0600" }]));
        assert.equal(remoded.stdout.trim(), "changed");
        assert.equal(statSync(join(root, "etc/consul.d/secrets.json")).mode & 0o7777, 0o600);
    });

    it("prints nothing of the content", () => {
        const r = install(fileDropPayload([{ ...files[0], content: "TOP-SECRET-VALUE" }]));
        assert.doesNotMatch(r.stdout + r.stderr, /TOP-SECRET-VALUE/);
    });

    it("refuses relative paths and bad modes before anything is sent", () => {
        assert.throws(() => fileDropPayload([{ ...files[0], path: "etc/x" }]), /absolute/);
        assert.throws(() => fileDropPayload([{ ...files[0], path: "/etc/../root/x" }]), /absolute and plain/);
        assert.throws(() => fileDropPayload([{ ...files[0], mode: "640" }]), /octal/);
    });
});
