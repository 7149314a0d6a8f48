import { Engine } from "./engine";

/** PostgreSQL. */
export const postgresql: Engine = {
    name: "postgresql",
    title: "PostgreSQL",
    versions: ["14", "15", "16", "17"],
    port: 5432,
};
