#!/usr/bin/env bash
# The floor: what the production profile's work costs when done by the fastest native tools, with no JVM, no
# Camel and no code of ours. If even this takes more than a target allows, no implementation meets it here.
#
#   bench/floor.sh [--kind logical|physical] [--scale N] [--pairs N]
#
# Three commands, interleaved (median of --pairs each), on bench/run's platform-like database and cluster:
#   tool   pg_dump -Fc -Z0 | zstd -1 > file                               (bench/run's reference)
#          (--kind physical: pg_basebackup -D - -Ft -X fetch --checkpoint=fast | zstd -1, checked with tar -t)
#   local  the production profile's work for the local store alone:
#          pg_dump -Fc -Z0 | tee >(sha256 of the raw dump) | zstd -1 | openssl aes-256-ctr
#            | tee >(sha256 of the stored bytes) > file;
#          then the read-back: openssl -d < file | zstd -d | tee >(pg_restore --list) | sha256
#   s3     the same, the stored bytes also PUT to S3Proxy by curl beside the local read-back, then read back by
#          one GET (sha256 of the stored bytes). The PUT follows the dump (S3Proxy refuses streamed bodies of
#          unknown length this large), so this wall time is not a floor; its machine CPU is
# AES-256-CTR stands in for AES-256-GCM (GCM is CTR plus a GHASH, so CTR costs less: a floor). zstd -1 is our
# default level. Every command is timed whole, with the CPU the whole machine spent meanwhile (PostgreSQL's
# backend and S3Proxy included): on $(nproc) cores, machine CPU / cores is the least wall time any program
# doing this work can take here.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scale=1 pairs=3 kind=logical
while [ $# -gt 0 ]; do
  case "$1" in
    --kind) kind="$2"; shift 2 ;;
    --scale) scale="$2"; shift 2 ;;
    --pairs) pairs="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
bin=/usr/lib/postgresql/15/bin
cluster="${MKING_BENCH_DIR:-/var/tmp/mking-bench}/pg15"
pg=(-h 127.0.0.1 -p 5499 -U postgres)
db="mking_bench_platform_${scale//./_}"
case "$kind" in
  logical) produce="$bin/pg_dump ${pg[*]} -Fc -Z0 $db" check="$bin/pg_restore --list" tool_name='pg_dump -Fc -Z0 \| zstd -1' ;;
  physical) produce="$bin/pg_basebackup ${pg[*]} -D - -Ft -X fetch --checkpoint=fast" check="tar -tf -"
    tool_name='pg_basebackup -Ft -X fetch \| zstd -1' ;;
  *) echo "--kind is logical or physical" >&2; exit 2 ;;
esac
for tool in zstd openssl curl tar psql java mvn runuser /usr/bin/time "$bin/pg_dump" "$bin/pg_restore" "$bin/pg_basebackup"; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done
[ -f "$cluster/PG_VERSION" ] || { echo "needs bench/run's cluster and database: run bench/run --only logical --pairs 1 first" >&2; exit 2; }
work="$(mktemp -d /tmp/mking-floor.XXXX)"
s3pid="" started=""
cleanup() {
  [ -n "$s3pid" ] && kill "$s3pid" 2>/dev/null
  [ -n "$started" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$cluster" -m fast stop >/dev/null 2>&1
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
if ! runuser -u postgres -- "$bin/pg_ctl" -D "$cluster" status >/dev/null 2>&1; then
  runuser -u postgres -- "$bin/pg_ctl" -D "$cluster" -l "$cluster/server.log" -w start >/dev/null
  started=yes
fi
psql "${pg[@]}" -Atqc "SELECT 1" -d "$db" >/dev/null 2>&1 || { echo "no database $db: run bench/run --scale $scale --only logical --pairs 1 first" >&2; exit 2; }
# shellcheck source=bench/lib.sh
. "$home/bench/lib.sh"
mkdir -p "$work/out" "$work/cmd"
start_s3proxy
# signed requests; the body streams unsigned (what a streaming client sends; the stored bytes are checked on read-back)
s3=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$MKING_STORE_MINIO_ACCESS_KEY:$MKING_STORE_MINIO_SECRET_KEY"
  -H "'x-amz-content-sha256: UNSIGNED-PAYLOAD'")
eval curl -sSf "${s3[*]}" -X PUT "http://127.0.0.1:$s3port/floor" >/dev/null
key=$(openssl rand -hex 32) iv=$(openssl rand -hex 16)
cat > "$work/cmd/local" <<SH
#!/usr/bin/env bash
set -eo pipefail
$produce | tee >(openssl dgst -sha256 > $work/raw.sha) | zstd -1 -q \
  | openssl enc -aes-256-ctr -K $key -iv $iv | tee >(openssl dgst -sha256 > $work/stored.sha) > $work/copy.bin
openssl enc -d -aes-256-ctr -K $key -iv $iv < $work/copy.bin | zstd -dcq \
  | tee -p >($check > /dev/null; echo \$? > $work/check.rc) | openssl dgst -sha256 > $work/read.sha
wait
[ "\$(cut -d' ' -f2 $work/raw.sha)" = "\$(cut -d' ' -f2 $work/read.sha)" ] || { echo "read-back differs" >&2; exit 1; }
until [ -s $work/check.rc ]; do sleep 0.05; done; [ "\$(cat $work/check.rc)" = 0 ] || { echo "$check failed" >&2; exit 1; }; rm -f $work/check.rc
SH
cat > "$work/cmd/s3" <<SH
#!/usr/bin/env bash
set -eo pipefail
$produce | tee >(openssl dgst -sha256 > $work/raw.sha) | zstd -1 -q \
  | openssl enc -aes-256-ctr -K $key -iv $iv | tee >(openssl dgst -sha256 > $work/stored.sha) > $work/copy.bin
wait
{ curl -sSf ${s3[*]} -T $work/copy.bin http://127.0.0.1:$s3port/floor/copy.bin \
  && curl -sSf ${s3[*]} http://127.0.0.1:$s3port/floor/copy.bin | openssl dgst -sha256 > $work/s3read.sha; } &
openssl enc -d -aes-256-ctr -K $key -iv $iv < $work/copy.bin | zstd -dcq \
  | tee -p >($check > /dev/null; echo \$? > $work/check.rc) | openssl dgst -sha256 > $work/read.sha
wait
[ "\$(cut -d' ' -f2 $work/raw.sha)" = "\$(cut -d' ' -f2 $work/read.sha)" ] || { echo "read-back differs" >&2; exit 1; }
until [ -s $work/check.rc ]; do sleep 0.05; done; [ "\$(cat $work/check.rc)" = 0 ] || { echo "$check failed" >&2; exit 1; }; rm -f $work/check.rc
[ "\$(cut -d' ' -f2 $work/stored.sha)" = "\$(cut -d' ' -f2 $work/s3read.sha)" ] || { echo "S3 read-back differs" >&2; exit 1; }
SH
cat > "$work/cmd/tool" <<SH
#!/usr/bin/env bash
set -eo pipefail
$produce | zstd -1 -q -f -o $work/tool.dump.zst
SH
chmod +x "$work"/cmd/*

# busy CPU seconds of the whole machine so far (user, nice, system, irq, softirq; not steal: another guest's)
machine_cpu() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f\n", ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat; }
measure() { # measure NAME: wall, process CPU, peak RSS (timed), then the machine's CPU
  local before; before=$(machine_cpu)
  timed "$1" run "$work/cmd/$1"
  awk -v a="$before" -v b="$(machine_cpu)" 'BEGIN { printf "%.2f\n", b - a }' >> "$work/out/$1.machine"
}
"$bin/pg_dump" "${pg[@]}" -Fc -Z0 "$db" > /dev/null # hint bits, once
for i in $(seq 1 "$pairs"); do
  echo "round $i" >&2
  if [ $(( i % 2 )) -eq 1 ]; then measure tool; measure local; measure s3; else measure s3; measure local; measure tool; fi
done

# the parts the production profile adds to the tool's work, each measured alone at its best (page cache, one
# process, no pipes): SHA-256 of the raw dump (written, then read back), SHA-256 of the stored bytes, AES-256-GCM
# both ways (openssl speed), zstd -d; S3: what the PUT and GET added to the machine in the s3 command
cpu_of() { /usr/bin/time -f '%U %S' -o "$work/t" "$@" > /dev/null; awk '{ printf "%.2f\n", $1 + $2 }' "$work/t"; }
zstd -dcq "$work/tool.dump.zst" > "$work/raw.dump"
sha_raw=$(cpu_of openssl dgst -sha256 "$work/raw.dump")
sha_stored=$(cpu_of openssl dgst -sha256 "$work/tool.dump.zst")
unzstd=$(cpu_of zstd -dcq "$work/tool.dump.zst")
gcm_rate=$(openssl speed -evp aes-256-gcm -bytes 16384 -seconds 2 2>/dev/null | awk 'toupper($1) ~ /^AES-256-GCM/ { sub(/k$/, "", $NF); print $NF * 1000 }')
[ -n "$gcm_rate" ] && [ "${gcm_rate%%.*}" -gt 0 ] || { echo "could not read openssl speed's AES-256-GCM rate" >&2; exit 1; }
gcm=$(awk -v n="$(stat -c %s "$work/tool.dump.zst")" -v r="$gcm_rate" 'BEGIN { printf "%.2f", n / r }')
rm -f "$work/raw.dump"
cores=$(nproc)
stamp=$(date -u +%Y-%m-%dT%H%M)
mkdir -p "$home/bench/results"
md="$home/bench/results/$stamp-floor-$kind.md"
tw=$(column_median tool.run 1)
{
  echo "# The floor of a $kind backup: the production profile's work in native tools, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Platform-like database at scale $scale; $cores cores; median of $pairs rounds. Machine CPU: every process's busy"
  echo "time meanwhile (PostgreSQL's backend and S3Proxy included); machine CPU / $cores is the least wall time any program"
  echo "doing the same work can take on this machine."
  echo
  echo "| command | wall | wall ratio to the tool | machine CPU | machine CPU / $cores | its ratio to the tool |"
  echo "|---|---|---|---|---|---|"
  for c in tool local s3; do
    w=$(column_median "$c.run" 1) m=$(column_median "$c.machine" 1)
    printf '| %s | %.2f s | %.2f× | %.1f s | %.2f s | %.2f× |\n' "$c" "$w" "$(awk -v a="$w" -v b="$tw" 'BEGIN { print a / b }')" \
      "$m" "$(awk -v m="$m" -v c="$cores" 'BEGIN { print m / c }')" "$(awk -v m="$m" -v c="$cores" -v b="$tw" 'BEGIN { print m / c / b }')"
  done
  echo
  echo "tool: \`${tool_name//\\/}\`; local: + SHA-256 of raw and stored bytes, AES-256-CTR, read-back through"
  echo "openssl, zstd -d, SHA-256 and \`$check\`; s3: + curl PUT of the stored file to S3Proxy and one GET back."
  tm=$(column_median tool.machine 1) s3=$(awk -v s="$(column_median s3.machine 1)" -v l="$(column_median local.machine 1)" 'BEGIN { printf "%.2f", s - l }')
  floor=$(awk -v t="$tm" -v a="$sha_raw" -v b="$sha_stored" -v g="$gcm" -v z="$unzstd" 'BEGIN { printf "%.2f", t + 2 * a + b + 2 * g + z }')
  echo
  echo "The least CPU the work needs, from its parts alone (no pipes, no start-up, nothing of ours):"
  echo
  echo "| part | CPU |"
  echo "|---|---|"
  echo "| the tool, whole machine ($tool_name, the PostgreSQL backend serving it) | $tm s |"
  echo "| SHA-256 of the raw stream, written and read back (openssl, 2 ×) | 2 × $sha_raw s |"
  echo "| SHA-256 of the stored bytes | $sha_stored s |"
  echo "| AES-256-GCM, both ways (openssl speed: $(awk -v r="$gcm_rate" 'BEGIN { printf "%.1f", r / 1e9 }') GB/s, 2 ×) | 2 × $gcm s |"
  echo "| zstd -d of the stored stream | $unzstd s |"
  awk -v f="$floor" -v c="$cores" -v w="$tw" 'BEGIN { printf "| **local store: sum / %d cores** | **%.2f s = %.2f× the tool** |\n", c, f / c, f / c / w }'
  echo "| S3Proxy receiving and serving the copy, curl (the s3 command's machine CPU less the local one's) | $s3 s |"
  awk -v f="$floor" -v s="$s3" -v c="$cores" -v w="$tw" 'BEGIN { printf "| **local + S3: sum / %d cores** | **%.2f s = %.2f× the tool** |\n", c, (f + s) / c, (f + s) / c / w }'
  echo
  echo "Every run (wall s, CPU s of the command, peak RSS KiB; machine CPU s):"
  echo
  for c in tool local s3; do
    echo "- $c: $(tr '\n' ';' < "$work/out/$c.run" | sed 's/;$//; s/;/; /g'); machine $(tr '\n' ' ' < "$work/out/$c.machine")"
  done
} > "$md"
cat "$md"
echo "written: $md" >&2
