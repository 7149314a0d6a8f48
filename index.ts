/**
 * cloud-dbaas: one program, two kinds of stack, chosen by `dbaas:kind` — the control plane
 * (Consul + Nomad servers, bastion, network) and one stack per database.
 *
 * The config is read and validated first: on a bad key nothing is declared, and the error lists
 * every bad key with its value and what is accepted.
 */
import { loadConfig } from "./config/load";
import { defineStack } from "./stacks";

export = defineStack(loadConfig()).outputs;
