/**
 * SSH as Pulumi's @pulumi/command `remote.Command` does it: to a machine behind the bastion
 * (ProxyJump), as the connection user, the `create` command string handed to the remote login
 * shell as is, standard input piped, no terminal; host keys are not checked (the provider's
 * default). The ssh client runs in the lab's operator namespace, whose only way to the nodes
 * is the bastion.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { RunResult } from "./proc";

/** The client configuration: the platform key only, no host key checks, no prompts. */
export function sshConfig(identityFile: string): string {
    return [
        "Host *",
        `  IdentityFile ${identityFile}`,
        "  IdentitiesOnly yes",
        "  StrictHostKeyChecking no",
        "  UserKnownHostsFile /dev/null",
        "  GlobalKnownHostsFile /dev/null",
        "  BatchMode yes",
        "  ConnectTimeout 10",
        "  ServerAliveInterval 15",
        "  LogLevel ERROR",
        "",
    ].join("\n");
}

/** Where a command goes: the machine and the bastion in front of it. */
export interface SshRoute {
    /** ssh_config file ({@link sshConfig}). */
    readonly configFile: string;
    /** Connection user (the image's default user; Pulumi's `connection.user`). */
    readonly user: string;
    /** The bastion's address (the only SSH entry). */
    readonly bastion: string;
    /** The machine's private address; the bastion itself when equal to `bastion`. */
    readonly host: string;
}

/** argv of the ssh client running `command` (one argument: the remote login shell runs it). */
export function sshArgv(route: SshRoute, command: string): string[] {
    const jump = route.host === route.bastion ? [] : ["-J", `${route.user}@${route.bastion}`];
    return ["ssh", "-F", route.configFile, "-T", ...jump, `${route.user}@${route.host}`, command];
}

/** Runs `command` through the bastion from network namespace `netns`, `stdin` piped; never throws on a non-zero exit. */
export function sshRun(netns: string, route: SshRoute, command: string, stdin: string | undefined, timeoutMs: number): Promise<RunResult> {
    return new Promise((resolve) => {
        const child = spawn("ip", ["netns", "exec", netns, ...sshArgv(route, command)], { stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({ code: code ?? (signal ? 124 : 1), stdout, stderr });
        });
        child.on("error", (e) => {
            clearTimeout(timer);
            resolve({ code: 127, stdout, stderr: stderr + e.message });
        });
        child.stdin.on("error", () => undefined);
        child.stdin.end(stdin ?? "");
    });
}

/**
 * Whether ssh failed to connect (exit 255, ssh's own connection-phase error, no remote output):
 * the dial errors that Pulumi's command provider retries (`dialErrorLimit`, here 60).
 */
export function isDialError(r: RunResult): boolean {
    return r.code === 255 && r.stdout === "" &&
        /(Connection timed out|Connection refused|No route to host|Network is unreachable|banner exchange|kex_exchange_identification|Connection closed by|Connection reset|open failed)/.test(r.stderr);
}

/** Makes the platform key pair (ed25519, like the control plane's) and the client configuration in `dir`. */
export async function makeSshKey(dir: string, run: (cmd: string, args: string[]) => Promise<RunResult>): Promise<{ key: string; publicKey: string; configFile: string }> {
    const key = path.join(dir, "platform_ed25519");
    const r = await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "cloud-dbaas-lab", "-f", key]);
    if (r.code !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
    const configFile = path.join(dir, "ssh_config");
    fs.writeFileSync(configFile, sshConfig(key), { mode: 0o600 });
    return { key, publicKey: fs.readFileSync(`${key}.pub`, "utf8").trim(), configFile };
}
