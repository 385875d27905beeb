#!/usr/bin/env bash
# Upload of one backup of a bit over 1 GB (issue 11, section 5): mking-backup into S3 with parallel parts and with one
# part at a time, and into the sftp store, next to `aws s3 cp`, `scp` and `sftp -b` of the same file in the same run.
#
#   bench/upload.sh [--pairs N] [--size-mb N] [--only VARIANTS]
#
#   --pairs    repetitions (median of these; odd ones run the variants in the order below, even ones reversed) default 3
#   --size-mb  the file: half random bytes (incompressible), half log-like text (zstd -1: ~4x)     default 1100 (1.15 GB)
#   --only     variants to run, comma-separated (the names below)                                     default all
#
# The data: a directory holding that one file, made once under /var/tmp/mking-bench/upload-<N>mb and kept. Variants:
#   files-s3-p4, files-s3-p1, files-sftp  mking-backup run of a `files` job over the directory, production profile
#                      (zstd -1, AES-256-GCM, SHA-256s, verify-after-write): the file in 8 MiB blobs packed into ~16 MiB
#                      objects, two packs in flight; each pack read back and decoded before the snapshot counts
#   code-s3-p4, code-s3-p1, code-sftp     a `code` job over the same directory, same profile: one object (tar of the
#                      directory), the upload the multipart settings are about; read back and decoded once written
#   bare-s3-p4, bare-s3-p1, bare-sftp     the same code job without compression, encryption or read-back (what
#                      isolates the transfer: tar, SHA-256 and the upload of the raw bytes)
#   aws-s3, aws-s3-serial                 aws s3 cp FILE s3://... (its defaults: 8 MiB parts, 10 at once), and with
#                      max_concurrent_requests = 1
#   scp, sftp-b                           scp FILE (OpenSSH 9: the SFTP protocol) and sftp -b with one put
# -s3-p4 is the S3 store with parallel-parts=4 (the default), -s3-p1 with parallel-parts=1; -sftp is the sftp store
# into Debian's sshd, run here as a plain process on a loopback port. S3 is S3Proxy on the filesystem in its own JVM.
# Each command is timed whole with /usr/bin/time (JVM start included): wall, CPU (user + system, children
# included), peak RSS; beside it the CPU the server (S3Proxy, or sshd and its children) spent meanwhile, on the same
# cores. Writes bench/results/<timestamp>-upload.md. Needs aws, scp, sftp, ssh-keygen, /usr/sbin/sshd,
# /usr/bin/time, PostgreSQL on 127.0.0.1:5432 (the audit database), Maven (offline is fine); runs as root (sshd).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
all=files-s3-p4,files-s3-p1,files-sftp,code-s3-p4,code-s3-p1,code-sftp,bare-s3-p4,bare-s3-p1,bare-sftp,aws-s3,aws-s3-serial,scp,sftp-b
pairs=3 size_mb=1100 only=$all
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) pairs="$2"; shift 2 ;;
    --size-mb) size_mb="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
for tool in aws scp sftp ssh-keygen /usr/sbin/sshd /usr/bin/time psql; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done
variants=()
for v in ${all//,/ }; do [[ ",$only," == *",$v,"* ]] && variants+=("$v"); done
[ ${#variants[@]} -gt 0 ] || { echo "--only names none of: $all" >&2; exit 2; }
work="$(mktemp -d /tmp/mking-bench-upload.XXXX)"
s3pid="" sshd_pid=""
main=(-h 127.0.0.1 -p 5432 -U postgres)
audit=mking_bench_upload
cleanup() {
  if [ -n "$s3pid" ]; then kill "$s3pid" 2>/dev/null || true; fi
  if [ -n "$sshd_pid" ]; then kill "$sshd_pid" 2>/dev/null || true; fi
  dropdb "${main[@]}" --if-exists "$audit" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=bench/lib.sh
. "$home/bench/lib.sh"
ensure_jar
mkdir -p "$work/out"
start_s3proxy
start_sshd

# ---- the data: one file, half random, half log-like text, in a directory of its own (made once, kept) --------------
data="${MKING_BENCH_DIR:-/var/tmp/mking-bench}/upload-${size_mb}mb"
file="$data/backup.bin"
bytes=$(( size_mb << 20 ))
if [ "$(stat -c %s "$file" 2>/dev/null || echo 0)" != "$bytes" ]; then
  echo "making $file ($size_mb MiB; once, it is kept for the next run) ..." >&2
  rm -rf "$data" && mkdir -p "$data"
  random=$(( bytes / 2 ))
  {
    head -c "$random" /dev/urandom
    awk -v n=$(( bytes - random )) 'BEGIN {
      srand(11)
      split("GET POST PUT DELETE", verb, " "); split("200 200 200 201 204 304 404 500", status, " ")
      while (t < n) {
        l = sprintf("2026-11-%02d %02d:%02d:%02d.%03d INFO http request id=%08x user=%d %s /api/v1/items/%d status=%s bytes=%d ms=%d",
          1 + int(rand() * 28), int(rand() * 24), int(rand() * 60), int(rand() * 60), int(rand() * 1000), int(rand() * 2^31),
          int(rand() * 50000), verb[1 + int(rand() * 4)], int(rand() * 1000000), status[1 + int(rand() * 8)],
          int(rand() * 100000), int(rand() * 900))
        if (t + length(l) + 1 > n) l = substr(l, 1, n - t - 1)
        print l; t += length(l) + 1
      } }'
  } > "$data.tmp"
  mv "$data.tmp" "$file"
fi

# ---- mking-backup: the stores, two profiles, one job per variant and repetition ------------------------------------
java -jar "$jar" keygen bench --key-dir "$work/keys" >/dev/null
dropdb "${main[@]}" --if-exists "$audit" 2>/dev/null
export MKING_STORE_S3P4_ACCESS_KEY=bench-access MKING_STORE_S3P4_SECRET_KEY=bench-secret-0123456789
export MKING_STORE_S3P1_ACCESS_KEY=bench-access MKING_STORE_S3P1_SECRET_KEY=bench-secret-0123456789
cat > "$work/production.properties" <<PROPS
mking.data-dir=$work/data
mking.audit.url=jdbc:postgresql://127.0.0.1:5432
mking.audit.database=$audit
mking.stores=s3p4,s3p1,sftp
mking.store.s3p4.type=minio
mking.store.s3p4.endpoint=http://127.0.0.1:$s3port
mking.store.s3p4.bucket=upload-p4
mking.store.s3p4.parallel-parts=4
mking.store.s3p1.type=minio
mking.store.s3p1.endpoint=http://127.0.0.1:$s3port
mking.store.s3p1.bucket=upload-p1
mking.store.s3p1.parallel-parts=1
mking.store.sftp.type=sftp
mking.store.sftp.host=127.0.0.1
mking.store.sftp.port=$sshport
mking.store.sftp.user=$ssh_user
mking.store.sftp.key-file=$work/ssh/id
mking.store.sftp.known-hosts=$work/ssh/known_hosts
mking.store.sftp.path=$work/sftp-store
mking.encryption.key-dir=$work/keys
mking.encryption.key-id=bench
PROPS
# the transfer alone: no compression, no encryption, nothing read back (the SHA-256 of the stream is always computed)
{
  grep -v '^mking.encryption' "$work/production.properties"
  printf 'mking.pipeline.compression=none\nmking.pipeline.verify-after-write=false\nmking.verify.after-backup=false\n'
} > "$work/bare.properties"
mkdir -p "$work/routes" "$work/sftp-store" "$work/scp"
# routes for repetition R: a files job and two code jobs (production, bare) per store; new names, so a files job
# makes a first snapshot every time
routes_for() {
  local r="$1" store
  : > "$work/routes/upload.yaml"
  for store in s3p4 s3p1 sftp; do
    cat >> "$work/routes/upload.yaml" <<YAML
- templatedRoute:
    routeTemplateRef: files
    parameters:
      - {name: job, value: "files-$store-r$r"}
      - {name: cron, value: "0 0 1 * * ?"}
      - {name: directory, value: "$data"}
      - {name: exclude, value: none}
      - {name: stores, value: "$store"}
- templatedRoute:
    routeTemplateRef: code
    parameters:
      - {name: job, value: "code-$store-r$r"}
      - {name: cron, value: "0 0 2 * * ?"}
      - {name: directory, value: "$data"}
      - {name: stores, value: "$store"}
- templatedRoute:
    routeTemplateRef: code
    parameters:
      - {name: job, value: "bare-$store-r$r"}
      - {name: cron, value: "0 0 3 * * ?"}
      - {name: directory, value: "$data"}
      - {name: stores, value: "$store"}
YAML
  done
}
ours() { "$home/bin/mking-backup" --config "$work/$1.properties" --routes "$work/routes" "${@:2}"; }
routes_for 0
ours production check > /dev/null 2>&1 || true # the audit schema and the launcher's class archive, before any timing

export AWS_ACCESS_KEY_ID=bench-access AWS_SECRET_ACCESS_KEY=bench-secret-0123456789 AWS_DEFAULT_REGION=us-east-1
printf '[default]\n' > "$work/aws-default.config"
printf '[default]\ns3 =\n  max_concurrent_requests = 1\n' > "$work/aws-serial.config"
aws_s3() { AWS_CONFIG_FILE="$work/aws-default.config" aws --endpoint-url "http://127.0.0.1:$s3port" s3 "$@"; }
for bucket in upload-p4 upload-p1 upload-aws; do aws_s3 mb "s3://$bucket" >/dev/null; done

# ---- measuring -----------------------------------------------------------------------------------------------------
# CPU seconds (user + system) so far of S3Proxy, and of sshd with its children that ended (each connection's)
cpu_of() { awk -v hz="$(getconf CLK_TCK)" -v kids="$2" '{ sub(/.*\) /, ""); printf "%.2f\n", ($12 + $13 + (kids ? $14 + $15 : 0)) / hz }' "/proc/$1/stat"; }
server_cpu() {
  case "$1" in
    *sftp*|scp)
      for _ in $(seq 1 50); do pgrep -P "$sshd_pid" >/dev/null || break; sleep 0.1; done # its connections reaped
      cpu_of "$sshd_pid" 1 ;;
    *) cpu_of "$s3pid" 0 ;;
  esac
}
# one variant of repetition R: timed, the server's CPU beside it, its output kept; then what it stored is removed
measure() {
  local v="$1" r="$2" before cmd
  local aws_cp=(aws --endpoint-url "http://127.0.0.1:$s3port" s3 cp --only-show-errors "$file" "s3://upload-aws/r$r/backup.bin")
  case "$v" in
    files-*|code-*|bare-*)
      local store=${v#*-} profile=production
      [[ "$v" == bare-* ]] && profile=bare
      cmd=("$home/bin/mking-backup" --config "$work/$profile.properties" --routes "$work/routes" run "${v%%-*}-${store//-/}-r$r") ;;
    aws-s3) cmd=(env AWS_CONFIG_FILE="$work/aws-default.config" "${aws_cp[@]}") ;;
    aws-s3-serial) cmd=(env AWS_CONFIG_FILE="$work/aws-serial.config" "${aws_cp[@]}") ;;
    scp) cmd=(scp -q "${ssh_opts[@]}" -P "$sshport" "$file" "$ssh_user@127.0.0.1:$work/scp/r$r.bin") ;;
    sftp-b)
      echo "put $file $work/scp/r$r.bin" > "$work/sftp-batch"
      cmd=(sftp -q -b "$work/sftp-batch" "${ssh_opts[@]}" -P "$sshport" "$ssh_user@127.0.0.1") ;;
  esac
  sync # what the previous variant wrote is on disk before this one starts
  before=$(server_cpu "$v")
  cut -d' ' -f1 /proc/loadavg >> "$work/out/$v.load" # other work on the machine shows here
  echo "repetition $r: $v" >&2
  if ( timed "$v" run "${cmd[@]}" ); then
    awk -v a="$before" -v b="$(server_cpu "$v")" 'BEGIN { printf "%.2f\n", b - a }' >> "$work/out/$v.server"
  else
    echo "$v, repetition $r: failed (its output goes into the results)" >&2
    { echo "### $v, repetition $r"; echo; echo '```'; tail -40 "$work/last.out"; tail -60 "$work/last.err"; echo '```'; echo; } \
      >> "$work/out/failures"
  fi
  # what it stored (objects, indexes, manifests), counted where S3Proxy and sshd put it, then removed
  find "$work/s3/upload-p4" "$work/s3/upload-p1" "$work/s3/upload-aws" "$work/sftp-store" "$work/scp" -type f -printf '%s\n' \
    | awk '{ t += $1 } END { print t + 0 }' >> "$work/out/$v.stored"
  rm -rf "$work/s3/upload-p4/"* "$work/s3/upload-p1/"* "$work/s3/upload-aws/"* "${work:?}/sftp-store/"* "$work/scp/"*
}
# S3Proxy's and sshd's first requests, and the file read into the page cache, before any timing
aws_s3 cp --only-show-errors "$file" s3://upload-aws/warm-up.bin
scp -q "${ssh_opts[@]}" -P "$sshport" "$file" "$ssh_user@127.0.0.1:$work/scp/warm-up.bin"
rm -f "$work/s3/upload-aws/warm-up.bin" "$work/scp/warm-up.bin"
for r in $(seq 1 "$pairs"); do
  routes_for "$r"
  order=("${variants[@]}")
  if [ $(( r % 2 )) -eq 0 ]; then
    order=(); for (( i = ${#variants[@]} - 1; i >= 0; i-- )); do order+=("${variants[i]}"); done
  fi
  for v in "${order[@]}"; do measure "$v" "$r"; done
done

# ---- the report ----------------------------------------------------------------------------------------------------
declare -A baseline=([files-s3-p4]=aws-s3 [files-s3-p1]=aws-s3-serial [files-sftp]=scp [code-s3-p4]=aws-s3
  [code-s3-p1]=aws-s3-serial [code-sftp]=scp [bare-s3-p4]=aws-s3 [bare-s3-p1]=aws-s3-serial [bare-sftp]=scp [sftp-b]=scp)
declare -A what=(
  [files-s3-p4]='files job → S3, parallel-parts=4: production profile; ~16 MiB packs, each read back and decoded'
  [files-s3-p1]='files job → S3, parallel-parts=1: the same'
  [files-sftp]='files job → sftp store: production profile; packs fsynced, each read back over SFTP and decoded'
  [code-s3-p4]='code job → S3, parallel-parts=4: production profile; one object (tar), read back and decoded'
  [code-s3-p1]='code job → S3, parallel-parts=1: the same'
  [code-sftp]='code job → sftp store: production profile; one object, fsynced, read back over SFTP and decoded'
  [bare-s3-p4]='code job → S3, parallel-parts=4: no compression, no encryption, no read-back (tar, SHA-256, upload)'
  [bare-s3-p1]='code job → S3, parallel-parts=1: the same'
  [bare-sftp]='code job → sftp store: no compression, no encryption, no read-back (tar, SHA-256, upload, fsync)'
  [aws-s3]="\`aws s3 cp\` (8 MiB parts, 10 at once): raw bytes"
  [aws-s3-serial]="\`aws s3 cp\`, max_concurrent_requests = 1: raw bytes"
  [scp]="\`scp\` (SFTP protocol): raw bytes, no fsync"
  [sftp-b]="\`sftp -b\`, one put: raw bytes, no fsync")
stamp=$(date -u +%Y-%m-%dT%H%M)
mkdir -p "$home/bench/results"
md="$home/bench/results/$stamp-upload.md"
{
  echo "# Upload of a $(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1e9 }') GB backup: mking-backup vs aws s3 cp and scp, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "One file of $size_mb MiB ($bytes bytes): half random bytes, half log-like text; in the page cache for every"
  echo "variant. $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem/ { print $2 }') GB RAM;"
  echo "$(java -version 2>&1 | head -1); $(aws --version 2>&1 | cut -d' ' -f1-2); $(ssh -V 2>&1 | cut -d, -f1); S3Proxy"
  echo "(filesystem) and sshd on loopback, on the same cores. Whole commands (JVM start included), median of $pairs"
  echo "repetitions (odd ones in the order below, even ones reversed), \`sync\` before each. \"server CPU\": what S3Proxy, or"
  echo "sshd with its children, spent meanwhile (not in the command's CPU). MB/s: the raw file's bytes by the wall time."
  echo "Ratio: wall time against the standard tool to the same destination (S3 p4 → aws s3 cp, p1 → aws serial, sftp → scp)."
  echo
  echo "| variant | what it includes | stored | wall | MB/s | CPU | peak RSS | server CPU | wall ratio |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for v in "${variants[@]}"; do
    if [ ! -s "$work/out/$v.run" ]; then
      printf '| %s | %s | | failed | | | | | |\n' "$v" "${what[$v]}"; continue
    fi
    w=$(column_median "$v.run" 1) c=$(column_median "$v.run" 2) m=$(column_median "$v.run" 3) s=$(column_median "$v.server" 1)
    b=${baseline[$v]:-} ratio=""
    if [ -n "$b" ] && [ -s "$work/out/$b.run" ]; then
      ratio=$(awk -v a="$w" -v b="$(column_median "$b.run" 1)" -v n="$b" 'BEGIN { printf "%.2f× %s", a / b, n }')
    fi
    stored=$(column_median "$v.stored" 1)
    printf '| %s | %s | %.1f MiB | %.1f s | %.0f | %.1f s | %d MiB | %.1f s | %s |\n' "$v" "${what[$v]}" \
      "$(awk -v s="$stored" 'BEGIN { print s / 1048576 }')" "$w" \
      "$(awk -v b="$bytes" -v w="$w" 'BEGIN { print b / 1e6 / w }')" "$c" $(( m / 1024 )) "$s" "$ratio"
  done
  echo
  echo "Every run (wall s, CPU s, peak RSS KiB; server CPU s; the 1-minute load average as it started):"
  echo
  for v in "${variants[@]}"; do
    [ -s "$work/out/$v.run" ] || continue
    echo "- $v: $(tr '\n' ';' < "$work/out/$v.run" | sed 's/;$//; s/;/; /g'); server $(tr '\n' ' ' < "$work/out/$v.server" | sed 's/ $//'); load $(tr '\n' ' ' < "$work/out/$v.load" | sed 's/ $//')"
  done
  if [ -s "$work/out/failures" ]; then
    echo
    echo "## Failures"
    echo
    cat "$work/out/failures"
  fi
} > "$md"
cat "$md"
echo "written: $md" >&2
