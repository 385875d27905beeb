#!/usr/bin/env bash
# How fast the streaming AEAD of backups runs from a cold JVM, by segment size and JCE provider (the JDK's,
# Conscrypt, Amazon Corretto Crypto Provider), each measurement in a fresh JVM as a backup meets it.
# Chose mking-backup's segment size (pipeline/EncryptionFormat).
#
#   bench/cipher.sh [SIZE_MIB]     data encrypted and decrypted per measurement, default 480 (a 1 GB dump at zstd -1)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size="${1:-480}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$home" && mvn -q -B dependency:build-classpath -Dmdep.outputFile="$work/app.cp" >/dev/null)
(cd "$home/bench/cipher" && mvn -q -B dependency:build-classpath -Dmdep.outputFile="$work/providers.cp" >/dev/null)
cp="$(cat "$work/app.cp"):$(cat "$work/providers.cp")"
javac -d "$work" -cp "$cp" "$home/bench/cipher/CipherBench.java"
echo "| provider | segment | provider load | encrypt | decrypt | size overhead |"
echo "|---|---|---|---|---|---|"
for provider in jdk conscrypt accp; do
  for segment in 4096 16384 65536 1048576; do
    read -r encrypt load < <(java -cp "$cp:$work" CipherBench encrypt "$provider" "$segment" "$size" "$work/data")
    read -r decrypt _ < <(java -cp "$cp:$work" CipherBench decrypt "$provider" "$segment" "$size" "$work/data")
    overhead=$(awk -v s="$(stat -c %s "$work/data")" -v t="$size" 'BEGIN { printf "%.2f", 100 * (s - t * 1048576) / (t * 1048576) }')
    echo "| $provider | $(( segment / 1024 )) KiB | $load s | $encrypt MB/s | $decrypt MB/s | $overhead % |"
  done
done
