#!/usr/bin/env bash
# Regenerates imports/ from the CRDs vendored in crds/, as listed under `imports:` in cdk8s.yaml, offline (`npm run import`).
# --no-save: the specs come from cdk8s.yaml itself, which cdk8s must never rewrite (that would drop its comments).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CDK8S_CHECK_UPGRADE=false
rm -rf imports
npx cdk8s import --no-save --language typescript --output imports
