/** The lab's run as text: every step, every check's outcome, the figures (lab/README.md gives them). */
import { secs, stats } from "./events";
import { ScenarioData } from "./scenario";
import { KillResult } from "./drill";
import { ChangeResult } from "./lifecycle";
import { StepResult } from "./nodesLab";

const s1 = (v: number | null | undefined) => (v === null || v === undefined ? "-" : v.toFixed(1));

function step(s: StepResult): string[] {
    const lines = [`--- ${s.name} on ${s.node}: ${s.skipped ? `NOT RUN (${s.skipped})` : `exit ${s.code} in ${s.seconds.toFixed(1)} s`}`];
    for (const e of s.dialErrors ?? []) lines.push(`connection retried: ${e}`);
    const tail = (t: string) => t.trim().split("\n").slice(-25).join("\n");
    if (s.stdout.trim()) lines.push(`stdout:\n${tail(s.stdout)}`);
    if (s.stderr.trim()) lines.push(`stderr:\n${tail(s.stderr)}`);
    return lines;
}

function kill(k: KillResult): string {
    return `${k.size} nodes, ${k.kind} kill of ${k.victim} (group ${k.groupBefore} → ${k.groupAfter}): lost ${s1(k.lostS)}, fenced ${s1(k.fencedS)}, ` +
        `mounted elsewhere ${s1(k.mountedElsewhereS)}, answering ${s1(k.answeringS)}, rejoined ${s1(k.rejoinedS)} s; ` +
        `${k.samples} mount samples, at most ${k.maxMounted} mounted; ${k.probeFailures} failed queries; ${k.problems.length ? `PROBLEMS: ${k.problems.join("; ")}` : "checks ok"}`;
}

function change(c: ChangeResult): string[] {
    return [
        `${c.what}: cloud-init ${s1(c.cloudInitS)} s, commands ${s1(c.commandsS)} s (${c.steps.map((s) => `${s.name} exit ${s.code}`).join(", ")}), serving ${s1(c.servingS)} s later; ` +
            `online ${c.online.join(", ")}, quorum ${c.quorate}, group ${c.groupBefore} → ${c.groupAfter}, ${c.groupOperations} group starts/stops, ${c.probeFailures} failed queries; ` +
            `${c.problems.length ? `PROBLEMS: ${c.problems.join("; ")}` : "checks ok"}`,
        ...c.steps.filter((s) => s.code !== 0).flatMap(step),
    ];
}

/** The drill's figures per size: min / median / max over the active kills. */
export function drillFigures(kills: readonly KillResult[]): string[] {
    const lines: string[] = [];
    for (const size of [...new Set(kills.map((k) => k.size))].sort()) {
        const active = kills.filter((k) => k.size === size && k.kind === "active");
        const fmt = (pick: (k: KillResult) => number | null) => {
            const st = stats(active.map(pick).filter((v): v is number => v !== null).map((v) => v * 1000));
            return st ? `${secs(st.min)} / ${secs(st.median)} / ${secs(st.max)} (n=${st.n})` : "-";
        };
        lines.push(`${size} nodes: kill → lost ${fmt((k) => k.lostS)}; kill → fenced ${fmt((k) => k.fencedS)}; kill → mounted elsewhere ${fmt((k) => k.mountedElsewhereS)}; ` +
            `lost → answering ${fmt((k) => (k.answeringS !== null && k.lostS !== null ? k.answeringS - k.lostS : null))}; kill → answering ${fmt((k) => k.answeringS)}`);
    }
    return lines;
}

/** The whole run, as text. */
export function summary(d: ScenarioData): string {
    const lines = [`images: base ${d.images.baseBuildS.toFixed(0)} s, layer ${d.images.layerBuildS.toFixed(0)} s (0 = cached); lab up ${d.images.upS.toFixed(1)} s`];
    for (const [m, c] of Object.entries(d.cloudInit)) lines.push(`cloud-init ${m}: rc ${c.code} after ${c.seconds.toFixed(1)} s: ${c.status.replace(/^\.+\n?/, "").trim().split("\n").filter((l) => /^(status|detail|errors| {2})/.test(l)).join(" | ")}`);
    lines.push(`ssh: bastion: ${d.ssh.bastion}; node via bastion: ${d.ssh.nodeThroughBastion}; node direct from the operator: ${d.ssh.nodeDirect}`);
    for (const s of d.steps) lines.push(...step(s));
    if (d.boot) {
        const b = d.boot;
        lines.push(`boot → serving: cloud-init ${s1(b.cloudInitS)} s, file drops ${b.fileDropS.map(s1).join(" / ")} s, setup ${s1(b.setupS)} s, configure ${s1(b.configureS)} s, configure → serving ${s1(b.servingS)} s; power on → serving ${s1(b.totalS)} s`);
    }
    for (const [n, o] of Object.entries(d.after)) lines.push(`=== ${n} after the commands:\n${o.trim()}`);
    if (d.rerun) {
        lines.push(`re-run: ${d.rerun.steps.map((s) => `${s.name} exit ${s.code}: ${(s.stdout + s.stderr).trim().split("\n").pop() ?? ""}`).join("; ")}; group member starts/stops caused: ${d.rerun.groupOperations}`);
        lines.push(...d.rerun.steps.filter((s) => s.code !== 0).flatMap(step));
    }
    if (d.operator) {
        const o = d.operator;
        lines.push(`operator: ${o.operator}\nmove ${o.from} → ${o.to}: ${o.movedOk}; is-managed of the info clone ${o.unmanagedBefore || "-"} → ${o.unmanagedAfter || "-"}; re-apply exit ${o.reapply.code}; ` +
            `after re-apply the group is on ${o.groupAfter}, ${o.groupOperations} group starts/stops\nconstraints before re-apply:\n${o.constraintsBefore.trim()}\nconstraints after re-apply:\n${o.constraintsAfter.trim()}`);
        if (o.reapply.code !== 0) lines.push(...step(o.reapply));
    }
    for (const k of d.kills) lines.push(kill(k));
    for (const c of [d.replace, d.grow, d.shrink]) if (c) lines.push(...change(c));
    if (d.replace) lines.push(`replaced server id ${d.replace.oldId} → ${d.replace.newId}`);
    if (d.status) lines.push(`dbaas status: exit ${d.status.code}\n${d.status.text.trim()}${d.status.stderr.trim() ? `\nstderr: ${d.status.stderr.trim()}` : ""}`);
    lines.push(`failed client queries outside the kills and the planned move: ${d.probeFailuresOutsideKills}`);
    lines.push(...drillFigures(d.kills));
    lines.push(`cloud stand-in requests: ${d.controller.length ? d.controller.join("; ") : "none"}`);
    lines.push(`volume signature at the end: ${d.volumeSignature || "none (blank)"}`);
    if (d.error) lines.push(`STOPPED: ${d.error}`);
    lines.push(`leftovers: ${d.leftovers.length ? d.leftovers.join("; ") : "none"}`);
    return lines.join("\n");
}
