/**
 * MariaDB's configuration script: a bash script, run by the configure task as root in a
 * container of the engine's image, with the mariadb client over the shared socket. Idempotent:
 * every step creates only what is missing and changes only what differs (an ALTER USER that
 * sets the same password would still stamp `password_last_changed`), so that a second run leaves
 * mysql.global_priv, mysql.db and the grants exactly as they were.
 *
 * In MariaDB a schema is a database: each schema of the stack config is a database the owner
 * owns (ALL PRIVILEGES), and the read/write users get their access there, on present and future
 * tables alike (database-level grants). The database named like the stack is the owner's own.
 *
 * root: the image's entrypoint leaves root@localhost with the password of MARIADB_ROOT_PASSWORD_FILE
 * (and, with MARIADB_ROOT_HOST=localhost, no other root). The first run logs in with it and
 * turns root@localhost into unix_socket authentication only (OS root in a container of the image,
 * over the socket: `skip_name_resolve` makes 'localhost' the socket and nothing else) and drops
 * any other root account. Later runs log in by unix_socket (the password is then ignored).
 *
 * Passwords are read from the task's secret files at run time and reach the server inside a
 * `SET @variable` statement on the socket, with the general log and the binary log off for that
 * session; the server stores only PASSWORD()'s hash, and compares it before changing anything.
 */
import { DatabaseUser, EngineInstance } from "../engine";
import { Placement, shellQuote, userPasswordItem } from "../common";
import { socketFile } from "./settings";

/** A name in backquotes. */
export function quoteName(name: string): string {
    return `\`${name.replace(/`/g, "``")}\``;
}

/** A database name in a GRANT: '_' and '%' are wildcards there, escaped. */
export function grantDatabase(name: string): string {
    return quoteName(name.replace(/[_%]/g, (c) => `\\${c}`));
}

/** An account: 'name'@'%'. */
export function account(name: string, host = "%"): string {
    return `'${name.replace(/'/g, "''")}'@'${host}'`;
}

const WRITE_PRIVILEGES = ["INSERT", "UPDATE", "DELETE"];
const GRANTS: Record<DatabaseUser["access"], string[]> = {
    read: ["SELECT"],
    write: ["SELECT", ...WRITE_PRIVILEGES],
};

/** root and the databases. */
function rootAndDatabasesSql(inst: EngineInstance): string {
    return [
        "SET SESSION sql_log_bin = OFF;",
        "DELIMITER //",
        "BEGIN NOT ATOMIC",
        "  DECLARE others TEXT;",
        "  -- root is root@localhost only: any other root account goes.",
        "  SELECT GROUP_CONCAT(CONCAT('root@', QUOTE(Host))) INTO others FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost';",
        "  IF others IS NOT NULL THEN",
        "    EXECUTE IMMEDIATE CONCAT('DROP USER ', others);",
        "  END IF;",
        "  -- ... and authenticates by unix_socket only (OS root, over the socket).",
        "  IF NOT EXISTS (SELECT 1 FROM mysql.global_priv WHERE User = 'root' AND Host = 'localhost'",
        "                 AND JSON_VALUE(Priv, '$.plugin') = 'unix_socket' AND NOT JSON_EXISTS(Priv, '$.auth_or')) THEN",
        "    ALTER USER root@localhost IDENTIFIED VIA unix_socket;",
        "  END IF;",
        "END //",
        "DELIMITER ;",
        ...[inst.database, ...inst.schemas].map((d) => `CREATE DATABASE IF NOT EXISTS ${quoteName(d)};`),
        "",
    ].join("\n");
}

/** Grants: the owner on its database and the schemas; each user its access on the schemas. */
function grantsSql(inst: EngineInstance): string {
    const owner = account(inst.database);
    const out = [
        `ALTER USER ${owner} REQUIRE SSL;`,
        ...[inst.database, ...inst.schemas].map((d) => `GRANT ALL PRIVILEGES ON ${grantDatabase(d)}.* TO ${owner};`),
    ];
    for (const u of inst.users) {
        const who = account(u.name);
        out.push(`ALTER USER ${who} REQUIRE SSL;`);
        const revoke = WRITE_PRIVILEGES.filter((p) => !GRANTS[u.access].includes(p));
        for (const s of inst.schemas) {
            out.push(`GRANT ${GRANTS[u.access].join(", ")} ON ${grantDatabase(s)}.* TO ${who};`);
            // A downgrade (write → read): the grant above made sure the row exists, so REVOKE cannot fail.
            if (revoke.length > 0) out.push(`REVOKE ${revoke.join(", ")} ON ${grantDatabase(s)}.* FROM ${who};`);
        }
    }
    out.push("");
    return out.join("\n");
}

/** Creates the account if missing, sets its password if it differs: compares PASSWORD()'s hash. */
const ACCOUNT_SQL = [
    "DELIMITER //",
    "BEGIN NOT ATOMIC",
    "  DECLARE hash TEXT DEFAULT PASSWORD(@dbaas_password);",
    "  IF NOT EXISTS (SELECT 1 FROM mysql.global_priv WHERE User = @dbaas_user AND Host = '%') THEN",
    "    EXECUTE IMMEDIATE CONCAT('CREATE USER ', QUOTE(@dbaas_user), '@''%'' IDENTIFIED BY PASSWORD ', QUOTE(hash), ' REQUIRE SSL');",
    "  ELSEIF NOT EXISTS (SELECT 1 FROM mysql.global_priv WHERE User = @dbaas_user AND Host = '%'",
    "                     AND JSON_VALUE(Priv, '$.plugin') = 'mysql_native_password'",
    "                     AND JSON_VALUE(Priv, '$.authentication_string') = hash AND NOT JSON_EXISTS(Priv, '$.auth_or')) THEN",
    "    EXECUTE IMMEDIATE CONCAT('ALTER USER ', QUOTE(@dbaas_user), '@''%'' IDENTIFIED BY PASSWORD ', QUOTE(hash));",
    "  END IF;",
    "END //",
    "DELIMITER ;",
    "SET @dbaas_password = NULL;",
    "",
].join("\n");

/** The script: `bash <script>` as root. */
export function mariadbConfigureScript(inst: EngineInstance, place: Placement): string {
    const accounts: [string, string][] = [
        [inst.database, `${place.secretsDir}/owner_password`],
        ...inst.users.map((u): [string, string] => [u.name, `${place.secretsDir}/${userPasswordItem(u.name)}`]),
    ];
    return `#!/bin/bash
# Configures MariaDB database "${inst.database}": its owner, the users ${inst.users.map((u) => `${u.name} (${u.access})`).join(", ") || "(none)"},
# the schemas (databases) ${inst.schemas.join(", ") || "(none)"} and their grants, and root (root@localhost by
# unix_socket only). Generated by cloud-dbaas; idempotent: a second run changes nothing.
# Runs as root in a container of the engine's image, over the shared socket.
set -euo pipefail

SOCKET=${shellQuote(socketFile(place))}
ADMIN_PASSWORD_FILE=${shellQuote(`${place.secretsDir}/admin_password`)}

# Escapes a value for a single- or double-quoted SQL string or option-file value.
escape() {
  local s=$1
  s=\${s//\\\\/\\\\\\\\}
  s=\${s//\\'/\\\\\\'}
  s=\${s//\\"/\\\\\\"}
  printf '%s' "$s"
}

# As root over the socket. unix_socket authentication once configured; right after the image's
# initialisation root still has the entrypoint's password: it is given in an option file on a
# pipe (never on a command line, never in the environment), and ignored by unix_socket.
admin_sql() {
  local pw
  pw=$(cat -- "$ADMIN_PASSWORD_FILE")
  mariadb --defaults-extra-file=<(printf '[client]\\npassword="%s"\\n' "$(escape "$pw")") \\
    --protocol=socket --socket="$SOCKET" --skip-ssl --user=root --batch --skip-column-names
}

echo "configure: root and databases"
admin_sql <<'SQL'
${rootAndDatabasesSql(inst)}SQL

# Creates an account when missing, sets its password when it differs (hashes compared in the
# server): the password reaches the server in a SET statement of a session that logs nothing.
set_account() {
  local user=$1 file=$2 pw
  pw=$(cat -- "$file")
  if [ -z "$pw" ]; then echo "configure: $file is empty" >&2; return 1; fi
  {
    printf "SET SESSION sql_log_off = ON, SESSION sql_log_bin = OFF;\\n"
    printf "SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '');\\n"
    printf "SET @dbaas_user = '%s', @dbaas_password = '%s';\\n" "$(escape "$user")" "$(escape "$pw")"
    cat <<'SQL'
${ACCOUNT_SQL}SQL
  } | admin_sql
}
${accounts.map(([user, file]) => `set_account ${shellQuote(user)} ${shellQuote(file)}`).join("\n")}

echo "configure: grants"
admin_sql <<'SQL'
${grantsSql(inst)}SQL

echo "configure: done"
`;
}
