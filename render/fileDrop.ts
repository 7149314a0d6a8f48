/**
 * Files that carry secrets reach a machine over SSH (never through user data): the remote
 * command runs the installer below with a JSON payload on its standard input. The installer is
 * written by cloud-init (it holds no secret), the payload is a Pulumi secret, and nothing of it
 * is ever printed or put on a command line.
 *
 * The installer writes each file atomically (temporary file, fsync, rename) with its owner and
 * mode set before the content lands, prints `changed` or `unchanged`, and restarts the given
 * systemd units only when something changed — so re-running the command is harmless.
 */

/** Where cloud-init installs the file installer. */
export const FILE_DROP_PATH = "/usr/local/sbin/dbaas-install-files";

/** One file of a payload. */
export interface DroppedFile {
    /** Absolute path on the machine. */
    readonly path: string;
    /** Content. */
    readonly content: string;
    /** Octal mode, e.g. "0600". */
    readonly mode: string;
    /** Owner user. */
    readonly owner: string;
    /** Owner group. */
    readonly group: string;
}

/** The payload a remote command sends on standard input (JSON, with Pulumi's JSON encoder only). */
export function fileDropPayload(files: readonly DroppedFile[]): string {
    for (const f of files) {
        if (!f.path.startsWith("/") || f.path.includes("..")) throw new Error(`file path must be absolute and plain: ${f.path}`);
        if (!/^0[0-7]{3}$/.test(f.mode)) throw new Error(`mode of ${f.path} must be octal like 0600: ${f.mode}`);
    }
    return JSON.stringify({ files });
}

/** What the remote command runs: wait for cloud-init, install the files, (re)start the units. */
export function fileDropCommand(units: readonly string[], afterInstall: readonly string[] = []): string {
    for (const u of units) if (!/^[a-z0-9@._-]+$/.test(u)) throw new Error(`not a systemd unit name: ${u}`);
    const list = units.join(" ");
    const lines = [
        "set -eu",
        // rc 1 is a failed boot configuration; rc 2 only reports deprecations.
        "rc=0; cloud-init status --wait >/dev/null || rc=$?",
        "if [ \"$rc\" -eq 1 ]; then echo 'cloud-init failed on this machine' >&2; exit 1; fi",
        `result=$(sudo ${FILE_DROP_PATH})`,
    ];
    if (units.length > 0) {
        lines.push(
            `sudo systemctl enable ${list}`,
            `if [ "$result" = changed ]; then sudo systemctl restart ${list}; else sudo systemctl start ${list}; fi`,
        );
    }
    lines.push(...afterInstall, "echo \"files $result\"");
    return `${lines.join("\n")}\n`;
}

/** The installer (Python 3, present wherever cloud-init runs). `--root DIR` is for tests. */
export const FILE_DROP_INSTALLER = `#!/usr/bin/python3
"""Install the files of a JSON payload read from stdin. Managed by cloud-dbaas."""
import grp, json, os, pwd, sys, tempfile

def main():
    root = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--root" else "/"
    as_root = os.geteuid() == 0 and root == "/"
    changed = False
    for f in json.load(sys.stdin)["files"]:
        path = os.path.join(root, f["path"].lstrip("/"))
        data = f["content"].encode()
        mode = int(f["mode"], 8)
        try:
            with open(path, "rb") as cur:
                same = cur.read() == data
            st = os.stat(path)
            same = same and (st.st_mode & 0o7777) == mode
        except FileNotFoundError:
            same = False
        if same:
            continue
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".dbaas-")
        try:
            os.fchmod(fd, mode)
            if as_root:
                os.fchown(fd, pwd.getpwnam(f["owner"]).pw_uid, grp.getgrnam(f["group"]).gr_gid)
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        changed = True
    print("changed" if changed else "unchanged")

main()
`;
