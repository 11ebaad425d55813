#!/usr/bin/env bash
# Generates the certificate TEST FIXTURES in test/fixtures/certs/ (see the README there).
#
# Every key written here is a throw-away TEST FIXTURE, generated on a developer machine and committed on purpose:
# none of it is a secret and none of it protects anything.
#
# Dates are fixed (openssl ca -startdate/-enddate; openssl 3.0 has no `x509 -not_before`), so tests that pass a fixed
# `now` keep working: good certificates are valid 2025-01-01..2125-01-01. Keys and signatures are random, so re-running
# the script rewrites every file; commit the result.
#
# Usage: scripts/make-cert-corpus.sh [output-dir]   (default: test/fixtures/certs)
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT_DIR/test/fixtures/certs}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

PASS='pass:test-fixture-passphrase'
ORG='cdk8s-azureml-tls test fixtures'
GOOD_START='20250101000000Z'
GOOD_END='21250101000000Z'

mkdir -p "$OUT"
rm -f "$OUT"/*.pem "$OUT"/*.key "$OUT"/*.der "$OUT"/*.pfx "$OUT"/*.csr "$OUT"/*.p7b "$OUT"/*.bin

cat >"$WORK/ca.cnf" <<EOF
[ ca ]
default_ca = fixture_ca

[ fixture_ca ]
dir              = $WORK
database         = $WORK/index.txt
serial           = $WORK/serial
new_certs_dir    = $WORK/issued
default_md       = sha256
policy           = policy_any
unique_subject   = no
email_in_dn      = no
copy_extensions  = none

[ policy_any ]
commonName             = optional
organizationName       = optional
organizationalUnitName = optional
countryName            = optional
EOF

cat >"$WORK/ext.cnf" <<'EOF'
[ root_ext ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ intermediate_ext ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ leaf_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:ml.example.com, DNS:ml.internal.example.com, IP:10.0.0.10
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ leaf_ec_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:ml.example.com
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ leaf_no_san_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth

[ leaf_wildcard_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:*.example.com

[ leaf_client_auth_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = clientAuth
subjectAltName         = DNS:ml.example.com

[ leaf_ca_ext ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, digitalSignature, keyEncipherment, keyCertSign
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:ml.example.com

[ self_signed_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:ml.example.com
subjectKeyIdentifier   = hash
EOF

mkdir -p "$WORK/issued"
: >"$WORK/index.txt"

# sign <csr> <out> <serial-hex> <start> <end> <extensions-section> <md> (-selfsign <key> | <issuer-cert> <issuer-key>)
sign() {
  local csr="$1" out="$2" serial="$3" start="$4" end="$5" ext="$6" md="$7"
  shift 7
  echo "$serial" >"$WORK/serial"
  if [ "$1" = "-selfsign" ]; then
    openssl ca -batch -notext -preserveDN -config "$WORK/ca.cnf" -selfsign -keyfile "$2" \
      -in "$csr" -out "$out" -startdate "$start" -enddate "$end" -extfile "$WORK/ext.cnf" -extensions "$ext" -md "$md" \
      2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
  else
    openssl ca -batch -notext -preserveDN -config "$WORK/ca.cnf" -cert "$1" -keyfile "$2" \
      -in "$csr" -out "$out" -startdate "$start" -enddate "$end" -extfile "$WORK/ext.cnf" -extensions "$ext" -md "$md" \
      2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
  fi
}

csr() { # csr <key> <subject> <out>
  openssl req -new -key "$1" -subj "$2" -out "$3"
}

rsa_key() { # rsa_key <bits> <out>
  openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$1" -out "$2" 2>/dev/null
}

# --- CAs (their keys stay in the temporary folder) -------------------------------------------------------------------
rsa_key 2048 "$WORK/root.key"
csr "$WORK/root.key" "/O=$ORG/CN=Test Root CA" "$WORK/root.csr"
sign "$WORK/root.csr" "$OUT/root-ca.pem" 1000 "$GOOD_START" "$GOOD_END" root_ext sha256 -selfsign "$WORK/root.key"

# The same root (name and key) re-signed with SHA-1: a root's own signature is not checked by clients.
sign "$WORK/root.csr" "$OUT/root-ca-sha1.pem" 1001 "$GOOD_START" "$GOOD_END" root_ext sha1 -selfsign "$WORK/root.key"

rsa_key 2048 "$WORK/intermediate.key"
csr "$WORK/intermediate.key" "/O=$ORG/CN=Test Intermediate CA" "$WORK/intermediate.csr"
sign "$WORK/intermediate.csr" "$OUT/intermediate-ca.pem" 2000 "$GOOD_START" "$GOOD_END" intermediate_ext sha256 \
  "$OUT/root-ca.pem" "$WORK/root.key"

ISSUER=("$OUT/intermediate-ca.pem" "$WORK/intermediate.key")
LEAF_SUBJECT="/O=$ORG/CN=ml.example.com"

# --- the good RSA-2048 leaf and its key ------------------------------------------------------------------------------
rsa_key 2048 "$OUT/leaf.key"
csr "$OUT/leaf.key" "$LEAF_SUBJECT" "$WORK/leaf.csr"
cp "$WORK/leaf.csr" "$OUT/leaf.csr"
sign "$WORK/leaf.csr" "$OUT/leaf.pem" 3001 "$GOOD_START" "$GOOD_END" leaf_ext sha256 "${ISSUER[@]}"

cat "$OUT/leaf.pem" "$OUT/intermediate-ca.pem" >"$OUT/leaf-chain.pem"
cat "$OUT/leaf.pem" "$OUT/intermediate-ca.pem" "$OUT/root-ca.pem" >"$OUT/leaf-full-chain.pem"
cat "$OUT/intermediate-ca.pem" "$OUT/leaf.pem" >"$OUT/leaf-chain-wrong-order.pem"
cat "$OUT/leaf.pem" "$OUT/root-ca.pem" >"$OUT/leaf-chain-gap.pem"
cat "$OUT/leaf.pem" "$OUT/intermediate-ca.pem" "$OUT/root-ca-sha1.pem" >"$OUT/leaf-full-chain-sha1-root.pem"
cat "$OUT/leaf.pem" "$OUT/leaf.key" >"$OUT/leaf-with-key.pem"

# Variants of the leaf signed for the same key (as a renewal would be).
leaf_variant() { # leaf_variant <name> <serial> <start> <end> <ext> <md> [subject]
  sign "$WORK/${7:-leaf}.csr" "$OUT/$1.pem" "$2" "$3" "$4" "$5" "$6" "${ISSUER[@]}"
  cat "$OUT/$1.pem" "$OUT/intermediate-ca.pem" >"$OUT/$1-chain.pem"
}
leaf_variant leaf-expired 3002 20200101000000Z 20210101000000Z leaf_ext sha256
leaf_variant leaf-not-yet-valid 3003 21000101000000Z 21010101000000Z leaf_ext sha256
leaf_variant leaf-expiring 3004 "$GOOD_START" 20260615000000Z leaf_ext sha256
leaf_variant leaf-sha1 3005 "$GOOD_START" "$GOOD_END" leaf_ext sha1
leaf_variant leaf-no-san 3006 "$GOOD_START" "$GOOD_END" leaf_no_san_ext sha256
csr "$OUT/leaf.key" "/O=$ORG/CN=*.example.com" "$WORK/wildcard.csr"
leaf_variant leaf-wildcard 3007 "$GOOD_START" "$GOOD_END" leaf_wildcard_ext sha256 wildcard
leaf_variant leaf-client-auth 3008 "$GOOD_START" "$GOOD_END" leaf_client_auth_ext sha256
leaf_variant leaf-ca-true 3009 "$GOOD_START" "$GOOD_END" leaf_ca_ext sha256

# --- other keys ------------------------------------------------------------------------------------------------------
rsa_key 2048 "$OUT/other.key"
cat "$OUT/leaf.key" "$OUT/other.key" >"$OUT/two-keys.key"

rsa_key 1024 "$OUT/rsa1024.key"
csr "$OUT/rsa1024.key" "$LEAF_SUBJECT" "$WORK/rsa1024.csr"
sign "$WORK/rsa1024.csr" "$OUT/rsa1024.pem" 3010 "$GOOD_START" "$GOOD_END" leaf_ext sha256 "${ISSUER[@]}"
cat "$OUT/rsa1024.pem" "$OUT/intermediate-ca.pem" >"$OUT/rsa1024-chain.pem"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OUT/ecdsa-p256.key"
csr "$OUT/ecdsa-p256.key" "$LEAF_SUBJECT" "$WORK/ecdsa.csr"
sign "$WORK/ecdsa.csr" "$OUT/ecdsa-p256.pem" 3011 "$GOOD_START" "$GOOD_END" leaf_ec_ext sha256 "${ISSUER[@]}"
cat "$OUT/ecdsa-p256.pem" "$OUT/intermediate-ca.pem" >"$OUT/ecdsa-p256-chain.pem"
# SEC1 form as `openssl ecparam -genkey` writes it: an EC PARAMETERS block, then EC PRIVATE KEY.
{ openssl ecparam -name prime256v1; openssl ec -in "$OUT/ecdsa-p256.key" -outform PEM 2>/dev/null; } >"$OUT/ecdsa-p256-sec1.key"
# A self-signed ECDSA certificate, so that an ecdsa-with-SHA256 signature is in the corpus.
sign "$WORK/ecdsa.csr" "$OUT/ecdsa-p256-self-signed.pem" 3012 "$GOOD_START" "$GOOD_END" self_signed_ext sha256 \
  -selfsign "$OUT/ecdsa-p256.key"

openssl genpkey -algorithm ED25519 -out "$OUT/ed25519.key"
csr "$OUT/ed25519.key" "$LEAF_SUBJECT" "$WORK/ed25519.csr"
sign "$WORK/ed25519.csr" "$OUT/ed25519.pem" 3013 "$GOOD_START" "$GOOD_END" leaf_ec_ext sha256 "${ISSUER[@]}"
cat "$OUT/ed25519.pem" "$OUT/intermediate-ca.pem" >"$OUT/ed25519-chain.pem"
sign "$WORK/ed25519.csr" "$OUT/ed25519-self-signed.pem" 3014 "$GOOD_START" "$GOOD_END" self_signed_ext sha256 \
  -selfsign "$OUT/ed25519.key"

rsa_key 2048 "$OUT/self-signed.key"
csr "$OUT/self-signed.key" "$LEAF_SUBJECT" "$WORK/self-signed.csr"
sign "$WORK/self-signed.csr" "$OUT/self-signed.pem" 3015 "$GOOD_START" "$GOOD_END" self_signed_ext sha256 \
  -selfsign "$OUT/self-signed.key"

# --- other encodings of the leaf key ---------------------------------------------------------------------------------
openssl rsa -in "$OUT/leaf.key" -traditional -out "$OUT/leaf-traditional.key" 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$OUT/leaf.key" -passout "$PASS" -out "$OUT/leaf-encrypted-pkcs8.key"
openssl rsa -in "$OUT/leaf.key" -traditional -aes256 -passout "$PASS" -out "$OUT/leaf-encrypted-traditional.key" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$OUT/leaf.key" -outform DER -out "$OUT/leaf-key.der"
openssl pkey -in "$OUT/leaf.key" -pubout -out "$OUT/leaf-public.pem"

# --- other encodings of the certificate ------------------------------------------------------------------------------
openssl x509 -in "$OUT/leaf.pem" -outform DER -out "$OUT/leaf.der"
openssl pkcs12 -export -in "$OUT/leaf.pem" -inkey "$OUT/leaf.key" -certfile "$OUT/intermediate-ca.pem" \
  -name ml.example.com -passout "$PASS" -out "$OUT/leaf.pfx"
openssl crl2pkcs7 -nocrl -certfile "$OUT/leaf-chain.pem" -out "$OUT/leaf-chain.p7b"

# What `openssl pkcs12 -in x.pfx -nodes` prints: Bag Attributes and subject=/issuer= lines around the blocks.
openssl pkcs12 -in "$OUT/leaf.pfx" -passin "$PASS" -nokeys -out "$OUT/leaf-chain-bag-attributes.pem"
openssl pkcs12 -in "$OUT/leaf.pfx" -passin "$PASS" -nocerts -nodes -out "$OUT/leaf-bag-attributes.key"

# Hygiene variants that must be accepted.
sed 's/$/\r/' "$OUT/leaf-chain.pem" >"$OUT/leaf-chain-crlf.pem"
sed 's/$/\r/' "$OUT/leaf.key" >"$OUT/leaf-crlf.key"
{ printf '\xef\xbb\xbf'; cat "$OUT/leaf-chain.pem"; } >"$OUT/leaf-chain-bom.pem"
{ printf '\n\n   \n'; sed 's/$/   /' "$OUT/leaf-chain.pem"; printf '\n\t\n'; } >"$OUT/leaf-chain-whitespace.pem"

# --- broken files ----------------------------------------------------------------------------------------------------
: >"$OUT/empty.pem"
head -n 8 "$OUT/leaf.pem" >"$OUT/truncated.pem"
# END line present, but lines missing in the middle: the DER is shorter than it says.
{ head -n 5 "$OUT/leaf.pem"; tail -n 4 "$OUT/leaf.pem"; } >"$OUT/truncated-middle.pem"
{ printf 'friendlyName: caf\xc3\xa9 certificate\n'; cat "$OUT/leaf-chain.pem"; } >"$OUT/non-ascii-comment.pem"
# Deterministic binary junk (SHA-256 chain); starts with a byte that is not ASN.1 SEQUENCE.
{ printf '\x89JUNK'; for i in $(seq 1 16); do printf 'junk-%s' "$i" | openssl dgst -sha256 -binary; done; } >"$OUT/junk.bin"
printf 'this is not a certificate\n' >"$OUT/text-only.pem"

chmod 644 "$OUT"/*
echo "wrote $(ls "$OUT" | wc -l) files to $OUT"
