/** Shell scripts the control plane runs over SSH, as pure functions. */
import { shellQuote } from "../common/shell";

/** What the Nomad ACL bootstrap needs. */
export interface NomadBootstrapArgs {
    /** CA certificate path on the server. */
    readonly caFile: string;
}

/**
 * Bootstraps Nomad's ACL system with an operator-chosen token read from standard input (Nomad
 * 1.4+ `nomad acl bootstrap -`), after waiting for a leader. Harmless when re-run: a token that
 * already works is left alone.
 */
export function nomadAclBootstrapScript(args: NomadBootstrapArgs): string {
    return `#!/usr/bin/env bash
set -euo pipefail
export NOMAD_ADDR=https://127.0.0.1:4646
export NOMAD_CACERT=${shellQuote(args.caFile)}
IFS= read -r token
for _ in $(seq 1 60); do
  if nomad operator api /v1/status/leader 2>/dev/null | grep -q ':4647'; then break; fi
  sleep 5
done
if NOMAD_TOKEN="$token" nomad acl token self >/dev/null 2>&1; then
  echo "nomad ACLs already bootstrapped"
  exit 0
fi
printf '%s' "$token" | nomad acl bootstrap - >/dev/null
echo "nomad ACLs bootstrapped"
`;
}
