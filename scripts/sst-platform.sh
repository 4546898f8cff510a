#!/usr/bin/env bash
# Installs SST's platform types (.sst/platform) offline, once, so tsc can check sst.config.ts and
# infra/ against the real component types. Needs no AWS account and no network beyond npm.
set -euo pipefail
if [ -f .sst/platform/config.d.ts ]; then exit 0; fi
SST_TELEMETRY_DISABLED=1 SST_SKIP_DEPENDENCY_CHECK=1 SST_NO_BUN=1 SST_STAGE=ci sst install
