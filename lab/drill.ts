/**
 * `npm run drill` — the failover drill on real corosync + Pacemaker namespace clusters
 * (root only; see lab/README.md).
 *
 *   npm run drill -- [--sizes 2,3] [--quick] [--json FILE] [--token MS --consensus MS]
 *                    [--load] [--soak SECONDS] [--freeze MS,MS...] [--fstype xfs|ext4] [--keep-logs]
 *
 * Prints, per size and per kill, every timing (seconds after the kill) and the
 * min/median/max of "node lost → service answering" and "kill → service answering";
 * writes the whole result as JSON with --json. --soak first watches each healthy cluster
 * (false failovers: node losses, fencing, group moves); --freeze pauses a passive node
 * (every process SIGSTOPped, like a frozen VM) and reports whether it was lost/fenced. Exit status 1 if any check failed,
 * a soak saw a false failover, or anything of a lab remained.
 */
import * as fs from "node:fs";
import { DrillOptions, DrillResult, emergencyStop, runDrill } from "./run";
import { secs } from "./events";

function parseArgs(argv: string[]): DrillOptions & { json?: string } {
    const o: DrillOptions & { json?: string } = { sizes: [2, 3], mode: "full" };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const val = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${a} needs a value`);
            return v;
        };
        const int = () => {
            const v = Number(val());
            if (!Number.isInteger(v) || v <= 0) throw new Error(`${a} needs a positive integer`);
            return v;
        };
        switch (a) {
            case "--sizes":
                o.sizes = val().split(",").map(Number);
                if (!o.sizes.every((s) => s === 2 || s === 3)) throw new Error("--sizes takes 2 and/or 3");
                break;
            case "--quick":
                o.mode = "quick";
                break;
            case "--json":
                o.json = val();
                break;
            case "--token":
                o.tokenMs = int();
                break;
            case "--consensus":
                o.consensusMs = int();
                break;
            case "--load":
                o.load = true;
                break;
            case "--fstype": {
                const f = val();
                if (f !== "xfs" && f !== "ext4") throw new Error("--fstype takes xfs or ext4");
                o.fstype = f;
                break;
            }
            case "--soak":
                o.soakSeconds = int();
                break;
            case "--freeze":
                o.freezeMs = val().split(",").map(Number);
                if (!o.freezeMs.every((v) => Number.isInteger(v) && v > 0)) throw new Error("--freeze takes milliseconds, comma-separated");
                break;
            case "--keep-logs":
                o.keepLogs = true;
                break;
            default:
                throw new Error(`unknown argument ${a} (see lab/drill.ts)`);
        }
    }
    return o;
}

export function report(r: DrillResult): string {
    const lines: string[] = [];
    lines.push(`failover drill ${r.startedAt}: token ${r.options.tokenMs} ms, consensus ${r.options.consensusMs} ms${r.options.load ? ", under CPU load" : ""}`);
    for (const size of r.options.sizes) {
        lines.push("", `== ${size} nodes ==`);
        for (const s of r.soaks.filter((x) => x.size === size)) {
            lines.push(`soak ${s.seconds} s without a kill: ${s.losses} node losses, ${s.fenceRequests} fence requests, ${s.groupMoves} group moves`);
        }
        for (const f of r.freezes.filter((x) => x.size === size)) {
            lines.push(`freeze ${f.target} for ${secs(f.pauseMs)}: ${f.lost ? "declared lost" : "not lost"}, ${f.fenced ? "fenced" : "not fenced"}`);
        }
        for (const k of r.kills.filter((x) => x.size === size)) {
            lines.push(`kill ${k.target} (${k.kind}, group on ${k.groupBefore} → ${k.groupAfter ?? "?"}) — ${k.problems.length ? "FAILED: " + k.problems.join("; ") : "checks ok"}`);
            for (const [name, ms] of Object.entries(k.after)) lines.push(`  ${name.padEnd(28)} ${secs(ms).padStart(8)}`);
            lines.push(`  ${"fenced by".padEnd(28)} ${k.fencedBy ?? "-"}; probe failures ${k.probeFailures}; mount samples ${k.samples}, most mounted at once ${k.maxMountedAtOnce}`);
        }
        const s = r.summary.find((x) => x.size === size);
        const fmt = (st: { n: number; min: number; median: number; max: number } | null | undefined) =>
            st ? `min ${secs(st.min)}  median ${secs(st.median)}  max ${secs(st.max)}  (n=${st.n})` : "-";
        lines.push(`node lost → service answering: ${fmt(s?.lostToAnswering)}`);
        lines.push(`kill → service answering:      ${fmt(s?.killToAnswering)}`);
        lines.push(`kill → node lost:              ${fmt(s?.killToLost)}`);
    }
    lines.push("", r.leftovers.length ? `LEFTOVERS: ${r.leftovers.join("; ")}` : "nothing of the labs remains", r.ok ? "DRILL OK" : "DRILL FAILED");
    return lines.join("\n");
}

async function main(): Promise<void> {
    const opts = parseArgs(process.argv.slice(2));
    const stamp = () => new Date().toISOString().slice(11, 23);
    opts.log = (m) => console.error(`[${stamp()}] ${m}`);
    let stopping = false;
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
        process.on(sig, () => {
            if (stopping) return;
            stopping = true;
            console.error(`${sig}: tearing the lab down`);
            void emergencyStop().finally(() => process.exit(130));
        });
    }
    const r = await runDrill(opts);
    console.log(report(r));
    if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(r, null, 2) + "\n");
    process.exitCode = r.ok ? 0 : 1;
}

if (require.main === module) {
    main().catch((e: Error) => {
        console.error(e.stack ?? e.message);
        process.exitCode = 2;
    });
}
