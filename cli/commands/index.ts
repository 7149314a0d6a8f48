/** Every command of the operators' tool, in the order `dbaas --help` lists them. */
import { Command } from "../command";
import { backup } from "./backup";
import { backups } from "./backups";
import { connection } from "./connection";
import { render } from "./render";
import { restore } from "./restore";
import { sql } from "./sql";
import { status } from "./status";

/** The commands. */
export const COMMANDS: readonly Command[] = [render, connection, sql, status, backups, backup, restore];
