import { Engine } from "./engine";

/** MariaDB. */
export const mariadb: Engine = {
    name: "mariadb",
    title: "MariaDB",
    versions: ["10.6", "10.11", "11.4"],
    port: 3306,
};
