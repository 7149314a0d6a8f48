/** What stands for a secret wherever a reviewer reads: the offline plan, artifacts, outputs. */
export const REDACTED = "[secret]";
