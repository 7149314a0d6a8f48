/**
 * The MariaDB releases the program offers, pins and refuses.
 *
 * Pinned minors: MariaDB's releases of 2026-11-16 (the MariaDB/server GitHub releases
 * mariadb-10.11.20, mariadb-11.4.14 and mariadb-11.8.10), the newest of each long-term series.
 * The tests run Debian 12's mariadb-server 10.11 (1:10.11.19-0+deb12u1 today).
 *
 * Image variant: MariaDB/mariadb-docker builds 10.11 on Ubuntu "jammy" and 11.4/11.8 on Ubuntu
 * "noble" (versions.json; 11.4 on noble since 11.4.1, before its first stable 11.4.2), and tags
 * `<minor>-<suite>` (generate-stackbrew-library.sh): the tag names the base OS so that it never
 * changes under an existing data directory without the tag changing too. The oldest minor that
 * may be pinned is each series' first stable (GA) release.
 *
 * End of life: MariaDB 10.6's community support ended 2026-07-06 (five years after its GA,
 * mariadb.org/about/#maintenance-policy).
 */
import { ReleaseLine, RetiredLine } from "../engine";

const SOURCE = "MariaDB/server releases of 2026-11-16 (mariadb-10.11.20, mariadb-11.4.14, mariadb-11.8.10)";

export const MARIADB_RELEASES: readonly ReleaseLine[] = [
    { major: "10.11", pinned: "10.11.20", oldestMinor: "10.11.2", variant: "jammy", source: SOURCE },
    { major: "11.4", pinned: "11.4.14", oldestMinor: "11.4.2", variant: "noble", source: SOURCE },
    { major: "11.8", pinned: "11.8.10", oldestMinor: "11.8.2", variant: "noble", source: SOURCE },
];

export const MARIADB_RETIRED: readonly RetiredLine[] = [{ major: "10.6", endOfLife: "2026-07-06" }];
