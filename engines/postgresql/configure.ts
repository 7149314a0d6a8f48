/**
 * PostgreSQL's configuration script: a bash script, run by the configure task as the image's
 * `postgres` user (peer authentication over the shared socket), with psql. Idempotent: every
 * step creates only what is missing and changes only what differs, so that a second run leaves
 * the catalogs exactly as they were.
 *
 * Passwords are read from the task's secret files at run time: never in this text, never on a
 * command line. A password is set only when logging in with it over the socket fails (a SCRAM
 * verifier has a random salt: setting the same password again would change pg_authid). The
 * statement that sets it runs with statement/error/duration logging off for its session.
 */
import { DatabaseUser, EngineInstance } from "../engine";
import { Placement, shellQuote, userPasswordItem } from "../common";

/** A SQL identifier, double-quoted. */
export function ident(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal (standard_conforming_strings is on). */
export function literal(text: string): string {
    return `'${text.replace(/'/g, "''")}'`;
}

/** Privileges on tables and sequences for each access level: what is granted, and what is revoked (a downgrade). */
const TABLE_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"];
const SEQUENCE_PRIVILEGES = ["USAGE", "SELECT", "UPDATE"];
const GRANTS: Record<DatabaseUser["access"], { tables: string[]; sequences: string[] }> = {
    read: { tables: ["SELECT"], sequences: ["SELECT"] },
    // nextval() needs USAGE: inserting into a table with a serial/identity column.
    write: { tables: ["SELECT", "INSERT", "UPDATE", "DELETE"], sequences: ["USAGE", "SELECT"] },
};

function minus(all: readonly string[], some: readonly string[]): string[] {
    return all.filter((p) => !some.includes(p));
}

/** Roles and the database, run in database `postgres`. */
function clusterSql(inst: EngineInstance): string {
    const roles = [inst.database, ...inst.users.map((u) => u.name)];
    const db = inst.database;
    return [
        "-- Roles: created when missing; plain login roles (no superuser, createdb, createrole, replication, bypassrls).",
        "DO $dbaas$",
        "DECLARE r text;",
        "BEGIN",
        `  FOREACH r IN ARRAY ARRAY[${roles.map(literal).join(", ")}]::text[] LOOP`,
        "    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN",
        "      EXECUTE format('CREATE ROLE %I LOGIN', r);",
        "    ELSIF EXISTS (SELECT FROM pg_roles WHERE rolname = r",
        "                  AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls OR NOT rolcanlogin OR NOT rolinherit)) THEN",
        "      EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS LOGIN INHERIT', r);",
        "    END IF;",
        "  END LOOP;",
        "END",
        "$dbaas$;",
        "",
        "-- The database, owned by its owner role (CREATE DATABASE cannot run in a DO block).",
        `SELECT format('CREATE DATABASE %I OWNER %I', ${literal(db)}, ${literal(db)})`,
        `  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(db)})`,
        "\\gexec",
        `SELECT format('ALTER DATABASE %I OWNER TO %I', ${literal(db)}, ${literal(db)})`,
        `  FROM pg_database WHERE datname = ${literal(db)} AND pg_get_userbyid(datdba) <> ${literal(db)}`,
        "\\gexec",
        "-- Only the owner and the users of the stack config may connect (PUBLIC may by default).",
        `REVOKE ALL ON DATABASE ${ident(db)} FROM PUBLIC;`,
        ...inst.users.map((u) => `GRANT CONNECT ON DATABASE ${ident(db)} TO ${ident(u.name)};`),
        "",
    ].join("\n");
}

/** Schemas, privileges and default privileges, run in the database. */
function databaseSql(inst: EngineInstance): string {
    const owner = inst.database;
    const out: string[] = [
        "-- Objects that the sql job creates belong to postgres, those the application creates to the owner:",
        "-- default privileges are set for both creators.",
    ];
    for (const s of inst.schemas) {
        out.push(
            "",
            `-- Schema ${s}: owned by ${owner}.`,
            "DO $dbaas$",
            "BEGIN",
            `  IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = ${literal(s)}) THEN`,
            `    EXECUTE format('CREATE SCHEMA %I AUTHORIZATION %I', ${literal(s)}, ${literal(owner)});`,
            `  ELSIF (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = ${literal(s)}) <> ${literal(owner)} THEN`,
            `    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', ${literal(s)}, ${literal(owner)});`,
            "  END IF;",
            "END",
            "$dbaas$;",
            // The owner may do anything with what postgres creates in its schemas.
            `GRANT ALL ON ALL TABLES IN SCHEMA ${ident(s)} TO ${ident(owner)};`,
            `GRANT ALL ON ALL SEQUENCES IN SCHEMA ${ident(s)} TO ${ident(owner)};`,
            `ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ${ident(s)} GRANT ALL ON TABLES TO ${ident(owner)};`,
            `ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ${ident(s)} GRANT ALL ON SEQUENCES TO ${ident(owner)};`,
        );
        for (const u of inst.users) {
            const g = GRANTS[u.access];
            const who = ident(u.name);
            const creators = `FOR ROLE ${ident(owner)}, postgres IN SCHEMA ${ident(s)}`;
            const revokeTables = minus(TABLE_PRIVILEGES, g.tables).join(", ");
            const revokeSequences = minus(SEQUENCE_PRIVILEGES, g.sequences).join(", ");
            out.push(
                `-- ${u.name}: ${u.access} (${g.tables.join(", ")}) on ${s}, present and future tables.`,
                `GRANT USAGE ON SCHEMA ${ident(s)} TO ${who};`,
                `REVOKE CREATE ON SCHEMA ${ident(s)} FROM ${who};`,
                `GRANT ${g.tables.join(", ")} ON ALL TABLES IN SCHEMA ${ident(s)} TO ${who};`,
                `REVOKE ${revokeTables} ON ALL TABLES IN SCHEMA ${ident(s)} FROM ${who};`,
                `GRANT ${g.sequences.join(", ")} ON ALL SEQUENCES IN SCHEMA ${ident(s)} TO ${who};`,
                `REVOKE ${revokeSequences} ON ALL SEQUENCES IN SCHEMA ${ident(s)} FROM ${who};`,
                `ALTER DEFAULT PRIVILEGES ${creators} GRANT ${g.tables.join(", ")} ON TABLES TO ${who};`,
                `ALTER DEFAULT PRIVILEGES ${creators} REVOKE ${revokeTables} ON TABLES FROM ${who};`,
                `ALTER DEFAULT PRIVILEGES ${creators} GRANT ${g.sequences.join(", ")} ON SEQUENCES TO ${who};`,
                `ALTER DEFAULT PRIVILEGES ${creators} REVOKE ${revokeSequences} ON SEQUENCES FROM ${who};`,
            );
        }
    }
    out.push("");
    return out.join("\n");
}

/** The script: `bash <script>` as the image's `postgres` user. */
export function postgresqlConfigureScript(inst: EngineInstance, place: Placement): string {
    const accounts: [string, string][] = [
        [inst.database, `${place.secretsDir}/owner_password`],
        ...inst.users.map((u): [string, string] => [u.name, `${place.secretsDir}/${userPasswordItem(u.name)}`]),
    ];
    return `#!/bin/bash
# Configures PostgreSQL database "${inst.database}": its owner role, the users ${inst.users.map((u) => `${u.name} (${u.access})`).join(", ") || "(none)"},
# the schemas ${inst.schemas.join(", ") || "(none)"} and their privileges. Generated by cloud-dbaas; idempotent:
# a second run changes nothing. Runs as the image's postgres user, over the shared socket.
set -euo pipefail

export PGHOST=${shellQuote(place.socketDir)} PGPORT=${place.port} PGUSER=postgres PGAPPNAME=dbaas-configure
DATABASE=${shellQuote(inst.database)}

admin_psql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "configure: roles and database"
admin_psql -d postgres <<'SQL'
${clusterSql(inst)}SQL

# A password is set only when logging in with it fails: a SCRAM verifier has a random salt, so
# setting the same password again would change the catalog. The password travels from its file
# to psql through the environment of that one process, never on a command line; the statement
# that sets it is not logged (statement, error and duration logging off for its session).
set_password() {
  local role=$1 file=$2 pw
  pw=$(cat -- "$file")
  if [ -z "$pw" ]; then echo "configure: $file is empty" >&2; return 1; fi
  if PGPASSWORD=$pw psql -X -q -w -d "$DATABASE" -U "$role" -c 'SELECT 1' >/dev/null 2>&1; then
    return 0
  fi
  echo "configure: setting the password of $role"
  DBAAS_PASSWORD=$pw admin_psql -d postgres -v role="$role" <<'SQL'
\\getenv password DBAAS_PASSWORD
SET log_statement = 'none';
SET log_min_error_statement = 'panic';
SET log_min_duration_statement = -1;
SET log_duration = off;
ALTER ROLE :"role" PASSWORD :'password';
SQL
}
${accounts.map(([role, file]) => `set_password ${shellQuote(role)} ${shellQuote(file)}`).join("\n")}

echo "configure: schemas and privileges"
admin_psql -d "$DATABASE" <<'SQL'
${databaseSql(inst)}SQL

echo "configure: done"
`;
}
