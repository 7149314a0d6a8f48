/** The production profile: the OpenStack resource agents and fence_openstack. */
import { FORMAT_AGENT } from "./formatAgent";
import { FENCE_REBOOT_TIMEOUT } from "./settings";
import { cinderDevicePath, Profile } from "./spec";

/** Production profile: the OpenStack resource agents and fence_openstack, authenticated by `cloud`. */
export const openstackProfile: Profile = {
    name: "openstack",
    agents: (spec) => ({
        fence: {
            agent: "fence_openstack",
            params: {
                cloud: spec.cloud,
                pcmk_host_map: spec.nodes.map((n) => `${n.name}:${n.serverId}`).join(";"),
                pcmk_reboot_timeout: FENCE_REBOOT_TIMEOUT,
            },
        },
        info: { agent: "ocf:heartbeat:openstack-info", params: { cloud: spec.cloud } },
        volume: {
            agent: "ocf:heartbeat:openstack-cinder-volume",
            params: { cloud: spec.cloud, volume_id: spec.volumeId },
        },
        format: { agent: FORMAT_AGENT, params: { device: cinderDevicePath(spec.volumeId), fstype: spec.fstype } },
        filesystem: {
            agent: "ocf:heartbeat:Filesystem",
            params: { device: cinderDevicePath(spec.volumeId), directory: spec.mountpoint, fstype: spec.fstype },
        },
        ip: {
            agent: "ocf:heartbeat:openstack-floating-ip",
            params: { cloud: spec.cloud, ip_id: spec.floatingIpId, subnet_id: spec.subnetId },
        },
        docker: { agent: "systemd:docker", params: {} },
        nomad: { agent: "systemd:nomad", params: {} },
    }),
};

