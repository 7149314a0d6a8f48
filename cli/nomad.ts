/**
 * The little of Nomad's HTTP API the operators' tool uses: dispatch a parameterized job, follow
 * its allocation, read its task's logs. HTTPS verified against the platform CA, ACL token in a
 * header (never on a command line).
 */
import * as http from "http";
import * as https from "https";
import { UserError } from "./command";

/** How to reach Nomad. */
export interface NomadTarget {
    /** e.g. https://203.0.113.20:4646 */
    readonly address: string;
    /** The ACL token (a secret). */
    readonly token: string;
    /** The CA that signed the API's certificate (PEM). */
    readonly caPem?: string;
    /** The Nomad region. */
    readonly region?: string;
}

/** An allocation, as far as we read it. */
export interface Allocation {
    readonly ID: string;
    readonly ClientStatus: string;
    readonly TaskStates?: Record<string, { readonly State: string; readonly Failed: boolean; readonly Events?: { readonly Type: string; readonly ExitCode?: number; readonly DisplayMessage?: string }[] }>;
}

/** One request to Nomad: the body as text, or a {@link UserError} that says what failed. */
export function nomadRequest(target: NomadTarget, method: "GET" | "POST", path: string, body?: unknown): Promise<string> {
    const url = new URL(path, target.address);
    if (target.region) url.searchParams.set("region", target.region);
    const data = body === undefined ? undefined : JSON.stringify(body);
    const client = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        const req = client.request(url, {
            method,
            headers: { "X-Nomad-Token": target.token, ...(data ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } : {}) },
            ...(url.protocol === "https:" && target.caPem ? { ca: target.caPem } : {}),
            timeout: 30_000,
        }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
                const text = Buffer.concat(chunks).toString("utf8");
                if ((res.statusCode ?? 0) >= 400) reject(new UserError(`Nomad at ${target.address} answered ${res.statusCode} to ${method} ${url.pathname}: ${text.trim().split("\n")[0] ?? ""}`));
                else resolve(text);
            });
        });
        req.on("timeout", () => req.destroy(new Error("no answer in 30 s")));
        req.on("error", (err) => reject(new UserError(`cannot reach Nomad at ${target.address} (${err.message}): the command needs the control plane's Nomad API, reachable from the operators' CIDRs`)));
        if (data) req.write(data);
        req.end();
    });
}

/** Dispatches a parameterized job (with a payload, or none) and its meta; resolves to the dispatched job's id. */
export async function dispatch(target: NomadTarget, jobId: string, payload: Buffer | undefined, meta: Readonly<Record<string, string>> = {}): Promise<string> {
    const body = { ...(payload ? { Payload: payload.toString("base64") } : {}), Meta: meta };
    const answer = JSON.parse(await nomadRequest(target, "POST", `/v1/job/${encodeURIComponent(jobId)}/dispatch`, body)) as { DispatchedJobID?: string };
    if (!answer.DispatchedJobID) throw new UserError(`Nomad did not dispatch ${jobId}`);
    return answer.DispatchedJobID;
}

/** Forces a run of a periodic job now; resolves to the id of the job it launched (`<id>/periodic-<time>`). */
export async function forcePeriodic(target: NomadTarget, jobId: string): Promise<string> {
    const answer = JSON.parse(await nomadRequest(target, "POST", `/v1/job/${encodeURIComponent(jobId)}/periodic/force`)) as { EvalID?: string };
    if (!answer.EvalID) throw new UserError(`Nomad did not start a run of ${jobId} (is it a periodic job?)`);
    const evaluation = JSON.parse(await nomadRequest(target, "GET", `/v1/evaluation/${encodeURIComponent(answer.EvalID)}`)) as { JobID?: string };
    if (!evaluation.JobID) throw new UserError(`Nomad's evaluation ${answer.EvalID} names no job`);
    return evaluation.JobID;
}

/** Waits until the job's allocation finished (complete or failed); resolves to it. */
export async function waitForAllocation(target: NomadTarget, jobId: string, timeoutMs: number, pollMs = 1000): Promise<Allocation> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const allocations = JSON.parse(await nomadRequest(target, "GET", `/v1/job/${encodeURIComponent(jobId)}/allocations`)) as Allocation[];
        const done = allocations.find((a) => a.ClientStatus === "complete" || a.ClientStatus === "failed" || a.ClientStatus === "lost");
        if (done) return done;
        if (Date.now() > deadline) throw new UserError(`${jobId} did not finish within ${Math.round(timeoutMs / 1000)} s (nomad job status ${jobId})`);
        await new Promise((r) => setTimeout(r, pollMs));
    }
}

/** A task's stdout or stderr, whole. */
export function taskLogs(target: NomadTarget, allocationId: string, task: string, stream: "stdout" | "stderr"): Promise<string> {
    return nomadRequest(target, "GET", `/v1/client/fs/logs/${encodeURIComponent(allocationId)}?task=${encodeURIComponent(task)}&type=${stream}&origin=start&plain=true`);
}

/** The exit code of a finished task (undefined when Nomad recorded none). */
export function exitCode(allocation: Allocation, task: string): number | undefined {
    const events = allocation.TaskStates?.[task]?.Events ?? [];
    return [...events].reverse().find((e) => e.Type === "Terminated")?.ExitCode;
}
