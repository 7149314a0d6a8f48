/**
 * Files that carry secrets reach a machine over SSH (never through user data): the remote
 * command runs the installer below with a JSON payload on its standard input. The installer is
 * written by cloud-init (it holds no secret), the payload is a Pulumi secret, and nothing of it
 * is ever printed or put on a command line.
 *
 * The installer writes each file atomically (temporary file, fsync, rename) with its owner and
 * mode set before the content lands, removes the files the payload says must not exist, and
 * hands each feed's input to its command's standard input (e.g. `user:password` to chpasswd):
 * a feed is never written to disk. It prints `changed` (with the units whose files changed) or
 * `unchanged`; only a file written or removed is a change, so re-running the command is harmless
 * and restarts nothing.
 */

/** Where cloud-init installs the file installer. */
export const FILE_DROP_PATH = "/usr/local/sbin/dbaas-install-files";

/** One file of a payload. */
export interface DroppedFile {
    /** Absolute path on the machine. */
    readonly path: string;
    /** Content (text, or base64 when `encoding` says so). */
    readonly content: string;
    /** Octal mode, e.g. "0600". */
    readonly mode: string;
    /** Owner user. */
    readonly owner: string;
    /** Owner group. */
    readonly group: string;
    /** "base64": `content` is the base64 of the bytes to write (binary keys). */
    readonly encoding?: "base64";
    /** systemd units restarted when this file is written (default none). */
    readonly restart?: readonly string[];
}

/** Input handed to a command's standard input, never written to disk (e.g. chpasswd's `user:password`). */
export interface Feed {
    /** Absolute path of the command (run as root, no argument). */
    readonly command: string;
    /** What it reads on its standard input. */
    readonly input: string;
}

/** What a machine receives: files to write, feeds to run, files that must not exist. */
export interface FileDrop {
    /** Files to write. */
    readonly files: readonly DroppedFile[];
    /** Commands fed a secret on their standard input, after the files are written. */
    readonly feeds?: readonly Feed[];
    /** Absolute paths removed when present (a file an earlier version of the program left). */
    readonly absent?: readonly string[];
}

const UNIT = /^[a-z0-9@._-]+$/;

function checkPath(path: string, what: string): void {
    if (!path.startsWith("/") || path.split("/").some((p) => p === "..")) throw new Error(`${what} path must be absolute and plain: ${path}`);
}

/** The payload a remote command sends on standard input (JSON, with Pulumi's JSON encoder only). */
export function fileDropPayload(drop: FileDrop): string {
    for (const f of drop.files) {
        checkPath(f.path, "file");
        if (!/^0[0-7]{3}$/.test(f.mode)) throw new Error(`mode of ${f.path} must be octal like 0600: ${f.mode}`);
        for (const u of f.restart ?? []) if (!UNIT.test(u)) throw new Error(`not a systemd unit name: ${u}`);
        if (f.encoding === "base64" && !/^[A-Za-z0-9+/]*={0,2}$/.test(f.content)) throw new Error(`content of ${f.path} is not base64`);
    }
    for (const feed of drop.feeds ?? []) checkPath(feed.command, "feed command");
    for (const p of drop.absent ?? []) checkPath(p, "absent");
    return JSON.stringify({ files: drop.files, feeds: drop.feeds ?? [], absent: drop.absent ?? [] });
}

/**
 * What the remote command runs: wait for cloud-init, install the payload, enable and start
 * `units` (restarting those whose files changed), then `afterInstall`. A failed cloud-init stops
 * it with cloud-init's own summary of what failed (no secret is in it).
 */
export function fileDropCommand(units: readonly string[], afterInstall: readonly string[] = []): string {
    for (const u of units) if (!UNIT.test(u)) throw new Error(`not a systemd unit name: ${u}`);
    const list = units.join(" ");
    const lines = [
        "set -eu",
        // rc 1 is a failed boot configuration; rc 2 only reports deprecations.
        "rc=0; cloud-init status --wait >/dev/null || rc=$?",
        "if [ \"$rc\" -eq 1 ]; then",
        "  echo 'cloud-init failed on this machine:' >&2",
        "  cloud-init status --long 2>&1 | grep -E '^(status|detail|errors|  -)' >&2 || true",
        "  exit 1",
        "fi",
        // "changed UNIT..." or "unchanged": the units are those whose files were written. An
        // assignment, so that the installer's failure stops the script (set -e ignores a failing
        // substitution inside `set --`); unit names are single words, split on purpose.
        `out=$(sudo ${FILE_DROP_PATH})`,
        "# shellcheck disable=SC2086",
        "set -- $out",
        "result=$1; shift",
    ];
    if (units.length > 0) lines.push(`sudo systemctl enable ${list}`);
    lines.push("if [ $# -gt 0 ]; then sudo systemctl restart \"$@\"; fi");
    if (units.length > 0) lines.push(`sudo systemctl start ${list}`);
    lines.push(...afterInstall, "echo \"files $result\"");
    return `${lines.join("\n")}\n`;
}

/** The installer (Python 3, present wherever cloud-init runs). `--root DIR` is for tests. */
export const FILE_DROP_INSTALLER = `#!/usr/bin/python3
"""Install the files of a JSON payload read from stdin. Managed by cloud-dbaas."""
import base64, grp, json, os, pwd, subprocess, sys, tempfile

def main():
    root = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--root" else "/"
    as_root = os.geteuid() == 0 and root == "/"
    payload = json.load(sys.stdin)
    changed = False
    restart = []
    for f in payload["files"]:
        path = os.path.join(root, f["path"].lstrip("/"))
        data = base64.b64decode(f["content"], validate=True) if f.get("encoding") == "base64" else f["content"].encode()
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
        restart += [u for u in f.get("restart", []) if u not in restart]
    for p in payload.get("absent", []):
        path = os.path.join(root, p.lstrip("/"))
        if os.path.lexists(path):
            os.remove(path)
            changed = True
    for feed in payload.get("feeds", []):
        # The input goes to the command's stdin only: never to disk, argv or our output.
        r = subprocess.run([feed["command"]], input=feed["input"].encode(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode != 0:
            sys.stderr.write("%s exited %d: %s\\n" % (feed["command"], r.returncode, r.stderr.decode(errors="replace").strip()))
            sys.exit(1)
    print(" ".join(["changed"] + restart) if changed else "unchanged")

main()
`;
