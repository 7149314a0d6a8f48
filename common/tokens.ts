/**
 * Type tokens: our components' (`dbaas:index:<Name>`) and the cloud resources the policy pack
 * reads. One table for the components that register them and the policy pack that looks for them.
 *
 * Pure: no Pulumi import.
 */

/** Our ComponentResources' type tokens. */
export const COMPONENT_TYPES = {
    controlPlane: "dbaas:index:ControlPlane",
    platformNetwork: "dbaas:index:PlatformNetwork",
    bastion: "dbaas:index:Bastion",
    platformCa: "dbaas:index:PlatformCa",
    remoteFiles: "dbaas:index:RemoteFiles",
    database: "dbaas:index:Database",
    dataVolume: "dbaas:index:DataVolume",
    agentIdentity: "dbaas:index:AgentIdentity",
    clusterNodes: "dbaas:index:ClusterNodes",
    pacemakerCluster: "dbaas:index:PacemakerCluster",
    engineService: "dbaas:index:EngineService",
    backupStorage: "dbaas:index:BackupStorage",
    backupJobs: "dbaas:index:BackupJobs",
} as const;

/** The providers' resource types the policies inspect (and the tests look for). */
export const RESOURCE_TYPES = {
    secGroupRule: "openstack:networking/secGroupRule:SecGroupRule",
    volume: "openstack:blockstorage/volume:Volume",
    container: "openstack:objectstorage/container:Container",
    instance: "openstack:compute/instance:Instance",
    serverGroup: "openstack:compute/serverGroup:ServerGroup",
    floatingIp: "openstack:networking/floatingIp:FloatingIp",
    remoteCommand: "command:remote:Command",
} as const;
