/**
 * What a database node's user data does about its packages (render/pacemaker/packaged.ts) and
 * the agent that formats the blank volume (render/pacemaker/formatAgent.ts), run for real:
 * - the packaged cluster is destroyed only while corosync.conf is the corosync package's own
 *   (dpkg's record of the conffile, on this machine's corosync package);
 * - apt parses the unattended-upgrades blacklist, and it covers every package built from the
 *   cluster stack's sources installed here;
 * - the agent on loop devices: formats a blank device once, never one holding a signature, never
 *   one blkid cannot tell about, never twice (the cluster's record).
 * Root (loop devices).
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { databaseNodeUserData } from "../render/cloudInit";
import { CLUSTER_STACK_PACKAGES, DESTROY_PACKAGED_CLUSTER, FORMAT_AGENT_PATH, FORMAT_AGENT_SCRIPT, UNATTENDED_UPGRADES_BLACKLIST_PATH, unattendedUpgradesBlacklist } from "../render/pacemaker";
import { requireTool, run } from "./support/exec";
import { useTempDir } from "./support/fixtures";

const userData = parse(databaseNodeUserData({
    hostname: "orders-0", consulVersion: "1.20.2", nomadVersion: "1.9.4", consulConfig: {}, nomadConfig: {}, database: "orders", mountpoint: "/srv/orders", engineStopSeconds: 120,
})) as { write_files: { path: string; content: string; permissions: string }[]; runcmd: string[][] };

describe("database node user data: Debian's packaged cluster", () => {
    const tmp = useTempDir("dbaas-first-boot-");

    it("is destroyed at first boot, before anything else of ours", () => {
        assert.deepEqual(userData.runcmd[1], ["sh", "-c", DESTROY_PACKAGED_CLUSTER]);
        const r = run("shellcheck", ["-s", "sh", "-"], { input: DESTROY_PACKAGED_CLUSTER });
        assert.equal(r.status, 0, r.stdout);
    });

    /** Runs the first-boot snippet on a copy of a corosync.conf, with pcs stubbed (its calls logged). */
    function firstBoot(conf: string): { stdout: string; pcs: string } {
        const dir = tmp();
        writeFileSync(join(dir, "corosync.conf"), conf);
        writeFileSync(join(dir, "pcs"), `#!/bin/sh\necho "$*" >> '${join(dir, "pcs.log")}'\n`, { mode: 0o755 });
        writeFileSync(join(dir, "pcs.log"), "");
        const r = run("env", [`PATH=${dir}:${process.env["PATH"]}`, `COROSYNC_CONF=${join(dir, "corosync.conf")}`, "sh", "-c", DESTROY_PACKAGED_CLUSTER]);
        assert.equal(r.status, 0, r.stderr);
        return { stdout: r.stdout, pcs: readFileSync(join(dir, "pcs.log"), "utf8") };
    }

    it("only while corosync.conf is the package's own (dpkg's md5 of the conffile): never ours, never an edited one", () => {
        requireTool("dpkg-query", "dpkg");
        const packaged = readFileSync("/etc/corosync/corosync.conf", "utf8");
        const recorded = execFileSync("dpkg-query", ["-W", "-f=${Conffiles}\\n", "corosync"], { encoding: "utf8" });
        const md5 = execFileSync("md5sum", ["/etc/corosync/corosync.conf"], { encoding: "utf8" }).split(" ")[0];
        assert.ok(recorded.includes(`/etc/corosync/corosync.conf ${md5}`), "this machine's /etc/corosync/corosync.conf was edited: reinstall corosync to run this test");
        assert.match(packaged, /cluster_name: debian/);
        assert.equal(firstBoot(packaged).pcs, "cluster destroy --force\n");
        assert.equal(firstBoot(packaged.replace("cluster_name: debian", "cluster_name: orders")).pcs, "", "an edited file is left alone");
        assert.equal(firstBoot("totem {\n    cluster_name: orders\n}\n").pcs, "");
    });
});

describe("database node user data: unattended upgrades never touch the cluster stack", () => {
    const tmp = useTempDir("dbaas-uu-");

    it("writes the blacklist after the package's own file", () => {
        const file = userData.write_files.find((f) => f.path === UNATTENDED_UPGRADES_BLACKLIST_PATH);
        assert.equal(file?.content, unattendedUpgradesBlacklist());
        assert.ok(UNATTENDED_UPGRADES_BLACKLIST_PATH > "/etc/apt/apt.conf.d/50unattended-upgrades");
    });

    it("apt reads it, and it matches every package built from corosync, kronosnet, libqb, pacemaker, pcs and the agents, as unattended-upgrades matches names", () => {
        const file = join(tmp(), "blacklist.conf");
        writeFileSync(file, unattendedUpgradesBlacklist());
        const dump = execFileSync("apt-config", ["-c", file, "dump", "Unattended-Upgrade::Package-Blacklist"], { encoding: "utf8" });
        const patterns = [...dump.matchAll(/^Unattended-Upgrade::Package-Blacklist:: "([^"]+)";$/gm)].map((m) => m[1]);
        assert.deepEqual(patterns, [...CLUSTER_STACK_PACKAGES]);
        // unattended-upgrades matches each entry with Python's re.match (anchored at the start of the name).
        const blacklisted = (pkg: string) => patterns.some((p) => new RegExp(p).test(pkg));
        const installed = execFileSync("dpkg-query", ["-W", "-f=${Package} ${source:Package}\\n"], { encoding: "utf8" }).split("\n")
            .map((l) => l.split(" ")).filter(([, src]) => /^(corosync|kronosnet|libqb|pacemaker|pcs|resource-agents|fence-agents)$/.test(src ?? "")).map(([pkg]) => pkg);
        assert.ok(installed.length >= 20, `the cluster stack is installed here (${installed.length} packages)`);
        assert.deepEqual(installed.filter((p) => !blacklisted(p)), []);
        for (const p of ["docker.io", "containerd", "runc"]) assert.ok(blacklisted(p), p);
        for (const p of ["openssl", "libc6", "python3", "openssh-server", "cloud-init", "libcrypt1"]) assert.ok(!blacklisted(p), `${p} must stay patched`);
    });
});

describe("ocf:dbaas:format-once on loop devices (root)", function () {
    this.timeout(120000);
    const tmp = useTempDir("dbaas-format-");
    const loops: string[] = [];

    it("is installed by the user data and passes shellcheck", () => {
        const file = userData.write_files.find((f) => f.path === FORMAT_AGENT_PATH);
        assert.equal(file?.content, FORMAT_AGENT_SCRIPT);
        assert.equal(file?.permissions, "0755");
        const r = run("shellcheck", ["-s", "sh", "-"], { input: FORMAT_AGENT_SCRIPT });
        assert.equal(r.status, 0, r.stdout);
    });

    /** A sparse file of `mb` MiB on a loop device. */
    function device(name: string, mb = 320): string {
        assert.equal(process.getuid?.(), 0, "loop devices need root");
        const file = join(tmp(), `${name}.img`);
        execFileSync("truncate", ["-s", `${mb}M`, file]);
        const loop = execFileSync("losetup", ["--find", "--show", file], { encoding: "utf8" }).trim();
        loops.push(loop);
        return loop;
    }
    after(() => {
        for (const l of loops) run("losetup", ["-d", l]);
    });

    /** Runs an action of the agent on `dev`, crm_attribute stubbed by a file per cluster property. */
    function agent(action: string, dev: string, fstype = "xfs"): { status: number | null; out: string } {
        const dir = tmp();
        writeFileSync(join(dir, "agent"), FORMAT_AGENT_SCRIPT, { mode: 0o755 });
        writeFileSync(join(dir, "crm_attribute"), [
            "#!/bin/sh",
            "while [ $# -gt 0 ]; do case $1 in --name) n=$2; shift ;; --update) v=$2; shift ;; --query) q=1 ;; esac; shift; done",
            `f='${dir}'/"prop-$n"`,
            'if [ -n "${q:-}" ]; then [ -e "$f" ] || exit 105; cat "$f"; else printf "%s\\n" "$v" > "$f"; fi',
        ].join("\n"), { mode: 0o755 });
        const env = [`PATH=${dir}:/usr/sbin:/usr/bin:/sbin:/bin`, "OCF_ROOT=/usr/lib/ocf", `HA_RSCTMP=${dir}`, "OCF_RESOURCE_INSTANCE=data-format",
            `OCF_RESKEY_device=${dev}`, `OCF_RESKEY_fstype=${fstype}`, "HA_LOGFILE=/dev/null", "HA_debug=0"];
        const r = run("env", [...env, join(dir, "agent"), action]);
        return { status: r.status, out: r.stdout + r.stderr };
    }
    const blkid = (dev: string) => run("blkid", ["-p", "-o", "export", dev]).stdout;
    const mark = () => readFileSync(join(tmp(), `prop-dbaas-formatted-${loops[0].split("/").pop()}`), "utf8");

    it("formats a blank device once (xfs), records it, and never again", () => {
        const dev = device("blank");
        assert.equal(run("blkid", ["-p", dev]).status, 2, "blank");
        assert.equal(agent("monitor", dev).status, 7, "not running before start");
        const first = agent("start", dev);
        assert.equal(first.status, 0, first.out);
        assert.match(blkid(dev), /TYPE=xfs/);
        assert.match(mark(), /^formatted .* xfs$/m);
        assert.equal(agent("monitor", dev).status, 0);
        const uuid = /UUID=(\S+)/.exec(blkid(dev))![1];
        assert.equal(agent("stop", dev).status, 0);
        assert.equal(agent("monitor", dev).status, 7);
        assert.equal(agent("start", dev).status, 0);
        assert.equal(/UUID=(\S+)/.exec(blkid(dev))![1], uuid, "the second start did not format");
    });

    it("refuses a device that reads blank after this cluster recorded a file system on it", () => {
        const dev = loops[0];
        execFileSync("dd", ["if=/dev/zero", `of=${dev}`, "bs=1M", "count=4", "conv=notrunc"], { stdio: "ignore" });
        const r = agent("start", dev);
        assert.equal(r.status, 6, r.out);
        assert.equal(run("blkid", ["-p", dev]).status, 2, "still blank: not formatted again");
    });

    it("leaves a device holding any signature alone (another file system, swap), and records it", () => {
        const ext = device("ext4");
        execFileSync("mkfs.ext4", ["-q", ext]);
        const before = blkid(ext);
        assert.equal(agent("start", ext).status, 0);
        assert.equal(blkid(ext), before, "an ext4 device given fstype=xfs is not reformatted");
        const swap = device("swap", 64);
        execFileSync("mkswap", [swap], { stdio: "ignore" });
        assert.equal(agent("start", swap).status, 0);
        assert.match(blkid(swap), /TYPE=swap/);
    });

    it("fails when blkid cannot tell (two file systems' signatures), or the device is missing; formats ext4 when asked", () => {
        const amb = device("ambivalent");
        execFileSync("sh", ["-c", `mkfs.xfs -q ${amb} && dd if=${amb} of=${tmp()}/sb bs=512 count=1 2>/dev/null && mkfs.ext4 -q -F ${amb} && dd if=${tmp()}/sb of=${amb} bs=512 count=1 conv=notrunc 2>/dev/null`]);
        assert.equal(run("blkid", ["-p", amb]).status, 8, "ambivalent");
        const r = agent("start", amb);
        assert.equal(r.status, 1, r.out);
        assert.match(r.out, /blkid -p .* exited 8: cannot tell whether it is blank/);
        assert.equal(agent("start", "/dev/disk/by-id/virtio-not-attached").status, 1);
        assert.equal(agent("validate-all", amb, "btrfs").status, 6);
        const e4 = device("blank-ext4");
        assert.equal(agent("start", e4, "ext4").status, 0);
        assert.match(blkid(e4), /TYPE=ext4/);
    });
});
