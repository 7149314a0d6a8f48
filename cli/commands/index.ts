/** Every command of the operators' tool, in the order `dbaas --help` lists them. */
import { Command } from "../command";
import { render } from "./render";

/** The commands. */
export const COMMANDS: readonly Command[] = [render];
