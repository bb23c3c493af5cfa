#!/usr/bin/env bash
# The way people make a test PKI today: the OpenSSL CLI, one process per step. Builds the same
# set as createPki() (CAs, 3 server certs, 15 distinct client certs, 4 CRLs) into $1, for
# bench/pki.ts to time against. KEY=ec|rsa selects the key type.
set -euo pipefail
out=$1; key=${KEY:-ec}
mkdir -p "$out"; cd "$out"
if [ "$key" = ec ]; then newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); else newkey=(-newkey rsa:2048); fi
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > ca.ext
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > client.ext
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=DNS:my-alb-1234567890.us-east-1.elb.amazonaws.com,DNS:localhost,IP:127.0.0.1,IP:::1\n' > server.ext
root() { openssl req -x509 -new -nodes "${newkey[@]}" -keyout "$1.key" -out "$1.crt" -subj "/O=alb-mtls-harness/CN=$1" -days 3650 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null; }
# issue NAME ISSUER EXTFILE [extra x509 args]: key + CSR in one process, signing in a second.
issue() {
  local name=$1 issuer=$2 ext=$3; shift 3
  openssl req -new -nodes "${newkey[@]}" -keyout "$name.key" -out "$name.csr" -subj "/O=alb-mtls-harness/CN=$name" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" -CAcreateserial -out "$name.crt" -extfile "$ext" "$@" 2>/dev/null
}
root root; root rogue
issue inter root ca.ext -days 3650; issue deep1 root ca.ext -days 3650; issue deep2 deep1 ca.ext -days 3650
issue deep3 deep2 ca.ext -days 3650; issue expired-inter root ca.ext -days 1
issue server inter server.ext -days 365; issue server-untrusted rogue server.ext -days 365; issue server-wrong-host inter server.ext -days 365
for c in good good-alt escaped high-bit expired not-yet-valid server-auth revoked sha1 v1; do issue "client-$c" inter client.ext -days 365; done
issue client-untrusted rogue client.ext -days 365; issue client-deep deep3 client.ext -days 365; issue client-under-expired expired-inter client.ext -days 365
openssl req -x509 -new -nodes "${newkey[@]}" -keyout self.key -out self.crt -subj "/CN=self" -days 365 2>/dev/null
openssl req -new -nodes -newkey ed25519 -keyout ed.key -out ed.csr -subj "/CN=ed" 2>/dev/null
openssl x509 -req -in ed.csr -CA inter.crt -CAkey inter.key -CAcreateserial -out ed.crt -extfile client.ext -days 365 2>/dev/null
# CRLs need `openssl ca` and its database.
for ca in root inter inter-empty inter-stale; do
  base=${ca%%-*}; mkdir -p "db-$ca"; : > "db-$ca/index.txt"; echo 1000 > "db-$ca/crlnumber"
  printf '[ca]\ndefault_ca=d\n[d]\ndatabase=db-%s/index.txt\ncrlnumber=db-%s/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n' "$ca" "$ca" > "$ca.cnf"
  [ "$ca" = inter ] && openssl ca -config "$ca.cnf" -cert "$base.crt" -keyfile "$base.key" -revoke client-revoked.crt 2>/dev/null
  openssl ca -config "$ca.cnf" -gencrl -cert "$base.crt" -keyfile "$base.key" -out "$ca.crl.pem" 2>/dev/null
done
