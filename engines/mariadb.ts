import { Engine } from "./engine";

/** MariaDB. */
export const mariadb: Engine = {
    name: "mariadb",
    title: "MariaDB",
    versions: ["10.6", "10.11", "11.4"],
    port: 3306,
    // A normal shutdown: flush InnoDB's buffer pool pages and logs, exit.
    cleanShutdown: { signal: "SIGTERM", seconds: 120 },
};
