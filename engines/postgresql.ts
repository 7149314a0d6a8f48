import { Engine } from "./engine";

/** PostgreSQL. */
export const postgresql: Engine = {
    name: "postgresql",
    title: "PostgreSQL",
    versions: ["14", "15", "16", "17"],
    port: 5432,
    // Fast shutdown: roll back open transactions, write a shutdown checkpoint, exit.
    cleanShutdown: { signal: "SIGINT", seconds: 120 },
};
