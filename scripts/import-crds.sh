#!/usr/bin/env bash
# Regenerates imports/ from the CRDs in ../shared/crds with `cdk8s import`, offline (`npm run import`).
# One import per CRD file, each with its own prefix: imports of the same API group would overwrite each other.
# The trimmed External Secrets CRDs (v1 only, providers azurekv and kubernetes) keep the generated code small.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CDK8S_CHECK_UPGRADE=false
crds=../shared/crds
rm -rf imports
for spec in \
  "sealedsecrets:=$crds/bitnami.com_sealedsecrets.yaml" \
  "certmanager:=$crds/cert-manager.io_certificates.yaml" \
  "externalsecrets:=$crds/trimmed/external-secrets.io_externalsecrets.v1-trimmed.yaml" \
  "secretstores:=$crds/trimmed/external-secrets.io_secretstores.v1-trimmed.yaml"; do
  npx cdk8s import --no-save --language typescript --output imports "$spec"
done
