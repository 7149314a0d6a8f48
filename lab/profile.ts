/**
 * The lab's Pacemaker profile: the stand-ins the failover drill runs on namespace clusters
 * instead of the OpenStack agents. Everything else (group order, constraints, operations,
 * properties) is the production configuration of render/pacemaker/.
 */
import { AgentSpec, Profile } from "../render/pacemaker";

/** Options of {@link labProfile}: everything the namespace lab supplies. */
export interface LabProfileOptions {
    /** Block device holding the test file system (e.g. a loop device, "/dev/loop7"). */
    readonly blockDevice: string;
    /** Interface carrying the service IP inside each node (e.g. "eth0"). */
    readonly nic: string;
    /** Prefix length of the service IP (e.g. 24). */
    readonly cidrNetmask: number;
    /** Fence device: agent and parameters, e.g. fence_dummy or a custom lab agent (add pcmk_host_list etc. yourself). */
    readonly fence: AgentSpec;
    /** The probe-able service standing in for "docker" (e.g. ocf:heartbeat:anything or ocf:heartbeat:pgsql). */
    readonly service: AgentSpec;
    /** Stand-in for "nomad": omitted means no such member; "dummy" means ocf:heartbeat:Dummy; or an agent. */
    readonly nomad?: AgentSpec | "dummy";
    /** Stand-in for the info clone; default ocf:heartbeat:Dummy. */
    readonly info?: AgentSpec;
}

/**
 * Lab profile for the failover drill on namespace clusters: volume → Dummy, filesystem →
 * Filesystem on `opts.blockDevice`, ip → IPaddr2 of spec.floatingIp, docker → `opts.service`,
 * nomad → optional, fence → `opts.fence`, info → Dummy (or `opts.info`).
 */
export function labProfile(opts: LabProfileOptions): Profile {
    const dummy: AgentSpec = { agent: "ocf:heartbeat:Dummy", params: {} };
    if (!opts.blockDevice.startsWith("/dev/")) throw new Error(`labProfile: blockDevice must be under /dev/, got ${JSON.stringify(opts.blockDevice)}`);
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(opts.nic)) throw new Error(`labProfile: nic is not an interface name: ${JSON.stringify(opts.nic)}`);
    if (!Number.isInteger(opts.cidrNetmask) || opts.cidrNetmask < 1 || opts.cidrNetmask > 128) {
        throw new Error(`labProfile: cidrNetmask must be an integer prefix length, got ${opts.cidrNetmask}`);
    }
    const nomad = opts.nomad === "dummy" ? dummy : opts.nomad;
    return {
        name: "lab",
        agents: (spec) => ({
            fence: opts.fence,
            info: opts.info ?? dummy,
            volume: dummy,
            filesystem: {
                agent: "ocf:heartbeat:Filesystem",
                params: { device: opts.blockDevice, directory: spec.mountpoint, fstype: spec.fstype },
            },
            ip: {
                agent: "ocf:heartbeat:IPaddr2",
                params: { ip: spec.floatingIp, cidr_netmask: String(opts.cidrNetmask), nic: opts.nic },
            },
            docker: opts.service,
            ...(nomad ? { nomad } : {}),
        }),
    };
}

