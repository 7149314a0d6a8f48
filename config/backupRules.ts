/**
 * The rules of the backup keys (`dbaas:backup`, `dbaas:restoreFrom` and their secrets): what
 * each accepts, as one sentence, and the check. Pure: no Pulumi import.
 */
import { backupTime } from "../backups/manifest";
import { bad, Check, objectRule, ok, Rule, unknownFields } from "./rules";
import { BackupConfig, RestoreFromConfig } from "./types";

/** The defaults of `dbaas:backup`: a backup every day at 03:00 UTC, 7 daily and 4 weekly kept, a restore drill every Sunday at 04:30 UTC. */
export const DEFAULT_BACKUP: BackupConfig = Object.freeze({ schedule: "0 3 * * *", daily: 7, weekly: 4, drillSchedule: "30 4 * * 0" });

const CRON_FIELD = /^[A-Za-z0-9*,/-]+$/;

/** Why a cron expression is refused (undefined: accepted): five fields, or @hourly/@daily/@weekly/@monthly. */
export function cronProblem(spec: string): string | undefined {
    if (["@hourly", "@daily", "@weekly", "@monthly"].includes(spec)) return undefined;
    const fields = spec.split(" ");
    if (fields.length !== 5 || fields.some((f) => !CRON_FIELD.test(f))) return `"${spec}" is not a cron expression of 5 fields (minute hour day month weekday, UTC), e.g. "0 3 * * *"`;
    return undefined;
}

const HTTPS_URL = /^https:\/\/[^\s/$.?#][^\s]*$/;
const NAME = /^\S(.*\S)?$/;

const BACKUP_ACCEPTED = `a JSON object, every field optional: "schedule" (cron, UTC), "daily" (1 to 90) and "weekly" (0 to 52) backups kept, "drillSchedule" (cron, UTC), "secondary" {"authUrl": Keystone v3 https URL, "region", "credentialId": an application credential of that cloud, whose secret is dbaas:backupSecondarySecret}, e.g. '{"schedule": "0 3 * * *", "daily": 7, "weekly": 4, "secondary": {"authUrl": "https://keystone.other.example.org:5000/v3", "region": "RegionTwo", "credentialId": "<id>"}}'`;

/** `dbaas:backup`. */
export const backupRule: Rule<BackupConfig> = objectRule(BACKUP_ACCEPTED, ["schedule", "daily", "weekly", "drillSchedule", "secondary"], (o, messages) => {
    const cron = (k: "schedule" | "drillSchedule"): string => {
        const s = o[k] ?? DEFAULT_BACKUP[k];
        if (typeof s !== "string") {
            messages.push(`"${k}" must be a string (a cron expression)`);
            return "";
        }
        const why = cronProblem(s);
        if (why) messages.push(`"${k}": ${why}`);
        return s;
    };
    const count = (k: "daily" | "weekly", lo: number, hi: number): number => {
        const n = o[k] ?? DEFAULT_BACKUP[k];
        if (typeof n !== "number" || !Number.isInteger(n) || n < lo || n > hi) messages.push(`"${k}" must be a whole number from ${lo} to ${hi}`);
        return n as number;
    };
    const cfg: { -readonly [K in keyof BackupConfig]: BackupConfig[K] } = {
        schedule: cron("schedule"), daily: count("daily", 1, 90), weekly: count("weekly", 0, 52), drillSchedule: cron("drillSchedule"),
    };
    if (o["secondary"] !== undefined) {
        const s = o["secondary"];
        if (typeof s !== "object" || s === null || Array.isArray(s)) messages.push(`"secondary" must be an object {"authUrl", "region", "credentialId"}`);
        else {
            const sec = s as Record<string, unknown>;
            messages.push(...unknownFields(sec, ["authUrl", "region", "credentialId"], "secondary."));
            if (typeof sec["authUrl"] !== "string" || !HTTPS_URL.test(sec["authUrl"])) messages.push(`"secondary.authUrl" must be the https URL of the secondary cloud's Keystone v3 endpoint`);
            for (const k of ["region", "credentialId"]) if (typeof sec[k] !== "string" || !NAME.test(sec[k] as string)) messages.push(`"secondary.${k}" must be a non-empty string`);
            cfg.secondary = Object.freeze({ authUrl: sec["authUrl"] as string, region: sec["region"] as string, credentialId: sec["credentialId"] as string });
            }
        }
        return Object.freeze(cfg);
});

const RESTORE_ACCEPTED = `a JSON object: "container" (the Swift container of the source database's backups, e.g. "orders-backups"), optional "cloud" ("primary" or "secondary", default "primary"), "backup" (a backup id such as "orders-20261128T030000Z", or "latest", the default), "database" (the source database's name, default dbaas:name); its crypt key is dbaas:restoreKey`;

/** `dbaas:restoreFrom`. */
export const restoreFromRule: Rule<RestoreFromConfig> = {
    accepted: RESTORE_ACCEPTED,
    check: (v) => {
        const shape = objectRule(RESTORE_ACCEPTED, ["container", "cloud", "backup", "database"], (o) => o).check(v);
        return shape.ok ? restoreFrom(shape.value) : shape;
    },
};

function restoreFrom(o: Record<string, unknown>): Check<RestoreFromConfig> {
    const messages: string[] = [];
    if (typeof o["container"] !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/.test(o["container"])) messages.push(`"container" must be a Swift container name (letters, digits, '.', '_', '-')`);
    const cloud = o["cloud"] ?? "primary";
    if (cloud !== "primary" && cloud !== "secondary") messages.push(`"cloud" must be "primary" or "secondary"`);
    const backup = o["backup"] ?? "latest";
    if (typeof backup !== "string" || (backup !== "latest" && !/^[a-z][a-z0-9-]*-\d{8}T\d{6}Z$/.test(backup))) messages.push(`"backup" must be "latest" or a backup id <database>-<YYYYMMDDTHHMMSSZ>`);
    if (o["database"] !== undefined && (typeof o["database"] !== "string" || !/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(o["database"]))) messages.push(`"database" must be a database name (a DNS label)`);
    if (messages.length > 0) return bad(...messages);
    const database = o["database"] as string | undefined;
    if (database !== undefined && backup !== "latest" && backupTime(database, backup as string) === null) return bad(`"backup" ${backup as string} is not a backup id of database ${database}`);
    return ok(Object.freeze({ container: o["container"] as string, cloud: cloud as "primary" | "secondary", backup: backup as string, ...(database !== undefined ? { database } : {}) }));
}

/** `dbaas:restoreKey`: the source stack's `backupKey` output. */
export const restoreKeyRule: Rule<string> = {
    accepted: "the source database stack's backupKey output (pulumi stack output backupKey --show-secrets: two parts separated by ':'), set with pulumi config set --secret",
    check: (v) => (/^[^:\s]+:[^:\s]+$/.test(v) ? ok(v) : bad("must be the source stack's backupKey output: two parts separated by ':'")),
};

/** `dbaas:backupSecondarySecret`: the secret of the secondary cloud's application credential. */
export const secretTextRule: Rule<string> = {
    accepted: "the secret of the application credential named in dbaas:backup's secondary.credentialId, set with pulumi config set --secret",
    check: (v) => (v.trim() !== "" && !/\s/.test(v) ? ok(v) : bad("must be a non-empty secret without spaces")),
};
