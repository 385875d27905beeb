#!/usr/bin/env bash
# Files snapshots side by side with restic and rsync, on a real tree nobody here wrote: Debian's /usr/share as
# installed on this machine (~50k entries), copied once to the bench directory so that it can be touched.
#
#   bench/files.sh [--pairs N] [--tree DIR]
#
# Per repetition, in fresh repositories: a first run, a no-change second run, and a run after touching 1 % of the
# files (mtime only: we read them again; restic too, then deduplicates), each as
#   mking-backup run  (production profile: zstd, AES-256-GCM, SHA-256, verify-after-write, stores local + S3Proxy)
#   mking-backup run  with the local store only (restic's repository here is local too)
#   restic backup     (its defaults; repository on the local disk; Debian's package)
#   restic backup     to a repository on the same S3Proxy (its s3 backend: what an off-site restic copy costs here)
#   rsync -a          (into a directory, the seed's method)
# "restic, both": restic's local and S3 runs added up: restic writes one repository per run, and ours keeps both copies.
# The fixed cost of a command: the same no-change run, production and restic, on a directory of one file (JVM and
# Camel start-up, catalog, audit, exit: what a command costs whatever the tree).
# Whole commands timed with /usr/bin/time (wall, CPU, peak RSS); the median of the repetitions. Then the first and no-change
# backups as the daemon runs them: Quartz fires them in a running daemon (wall time from their audit rows). Writes
# bench/results/<timestamp>-files.md. Needs restic, rsync, /usr/bin/time, PostgreSQL on 127.0.0.1:5432 (audit).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pairs=3 source_tree=/usr/share
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) pairs="$2"; shift 2 ;;
    --tree) source_tree="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
for tool in restic rsync /usr/bin/time psql; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
work="$(mktemp -d /tmp/mking-bench-files.XXXX)"
s3pid=""
cleanup() { if [ -n "$s3pid" ]; then kill "$s3pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
# shellcheck source=bench/lib.sh
. "$home/bench/lib.sh"
ensure_jar
mkdir -p "$work/out"
start_s3proxy

tree="${MKING_BENCH_DIR:-/var/tmp/mking-bench}/files-tree${source_tree//\//-}"
if [ ! -d "$tree" ]; then
  echo "copying $source_tree to $tree (once) ..." >&2
  mkdir -p "$(dirname "$tree")" && cp -a "$source_tree" "$tree"
fi
tiny="$work/tiny-tree"
mkdir -p "$tiny" && echo "one file" > "$tiny/one.txt"
files=$(find "$tree" -type f | wc -l)
entries=$(find "$tree" | wc -l)
size=$(du -sh --apparent-size "$tree" | cut -f1)

java -jar "$jar" keygen bench --key-dir "$work/keys" >/dev/null
export RESTIC_PASSWORD=bench-restic-password
export AWS_ACCESS_KEY_ID=bench-access AWS_SECRET_ACCESS_KEY=bench-secret-0123456789
main=(-h 127.0.0.1 -p 5432 -U postgres)

# one repetition: fresh stores, audit database, restic repository and rsync target
repetition() {
  local r="$1" audit="mking_bench_files_$1"
  dropdb "${main[@]}" --if-exists "$audit" 2>/dev/null
  mkdir -p "$work/$r/routes" "$work/$r/routes-local"
  cat > "$work/$r/bench.properties" <<PROPS
mking.data-dir=$work/$r/data
mking.audit.url=jdbc:postgresql://127.0.0.1:5432
mking.audit.database=$audit
mking.stores=local,minio
mking.store.local.path=$work/$r/store
mking.store.minio.endpoint=http://127.0.0.1:$s3port
mking.store.minio.bucket=bench$r
mking.encryption.key-dir=$work/keys
mking.encryption.key-id=bench
PROPS
  for variant in routes:local,minio routes-local:local routes-tiny:local,minio; do
    mkdir -p "$work/$r/${variant%%:*}"
    local directory="$tree"
    if [ "${variant%%:*}" = routes-tiny ]; then directory="$tiny"; fi
    cat > "$work/$r/${variant%%:*}/files.yaml" <<YAML
- templatedRoute:
    routeTemplateRef: files
    parameters:
      - {name: job, value: "bench-files-${variant%%:*}"}
      - {name: cron, value: "0 0 1 * * ?"}
      - {name: directory, value: "$directory"}
      - {name: exclude, value: none}
      - {name: stores, value: "${variant#*:}"}
YAML
  done
  ours=("$home/bin/mking-backup" --config "$work/$r/bench.properties")
  restic -r "$work/$r/restic" init >/dev/null
  restic -r "s3:http://127.0.0.1:$s3port/restic$r" init >/dev/null
  restic -r "$work/$r/restic-tiny" init >/dev/null
  "${ours[@]}" --routes "$work/$r/routes" check >/dev/null 2>&1 || true # the audit schema, before any timing
  for step in first unchanged touched; do
    if [ "$step" = touched ]; then
      find "$tree" -type f | awk 'NR % 100 == 0' | xargs -d '\n' touch
    fi
    echo "repetition $r: $step" >&2
    timed "$step" production "${ours[@]}" --routes "$work/$r/routes" run bench-files-routes
    timed "$step" local "${ours[@]}" --routes "$work/$r/routes-local" run bench-files-routes-local
    timed "$step" restic restic -r "$work/$r/restic" backup --quiet "$tree"
    timed "$step" restic-s3 restic -r "s3:http://127.0.0.1:$s3port/restic$r" backup --quiet "$tree"
    timed "$step" rsync rsync -a "$tree/" "$work/$r/rsync/"
    paste -d' ' <(tail -1 "$work/out/$step.restic") <(tail -1 "$work/out/$step.restic-s3") \
      | awk '{ printf "%.2f %.2f %d\n", $1 + $4, $2 + $5, ($3 > $6 ? $3 : $6) }' >> "$work/out/$step.restic-both"
    # the one-file tree: its first snapshot, then no-change runs (the table's fixed cost)
    timed "$step" tiny "${ours[@]}" --routes "$work/$r/routes-tiny" run bench-files-routes-tiny
    timed "$step" restic-tiny restic -r "$work/$r/restic-tiny" backup --quiet "$tiny"
  done
  psql "${main[@]}" -d "$audit" -Atqc "SELECT job_name, stored_size_bytes FROM backup_executions WHERE status = 'success'
    ORDER BY id" >> "$work/out/audit"
  du -sb "$work/$r/store" "$work/$r/restic" | awk '{ print $1 }' > "$work/out/sizes.$r"
  rm -rf "$work/$r/store" "$work/$r/rsync" "$work/$r/restic" "$work/$r/restic-tiny" "$work/$r/data"
  dropdb "${main[@]}" --if-exists "$audit" 2>/dev/null
}
for r in $(seq 1 "$pairs"); do repetition "$r"; done

# The same backups as scheduled runs in the daemon (a warm JVM, as production runs it): Quartz fires the production
# job at :00, the local-only one at :15 and a second production job ("warm": other stores' folder, the same tree) at :30
# of every minute; each run's wall time is end_time - start_time of its audit row. The first run of each reads
# everything (a first snapshot), the later ones nothing. The production job's first snapshot is the daemon's first work
# (its JIT compiles as it goes); the warm job's first snapshot comes after two files runs, as a new job's in a daemon
# that has been running.
daemon_runs() {
  local audit=mking_bench_files_daemon
  dropdb "${main[@]}" --if-exists "$audit" 2>/dev/null
  mkdir -p "$work/daemon/routes"
  sed "s|mking_bench_files_1|$audit|; s|$work/1/|$work/daemon/|g; s|bucket=bench1|bucket=benchdaemon|" \
    "$work/1/bench.properties" > "$work/daemon/bench.properties"
  echo "camel.management.port=$(( 20000 + RANDOM % 10000 ))" >> "$work/daemon/bench.properties"
  sed 's|"0 0 1 \* \* ?"|"0 * * * * ?"|' "$work/1/routes/files.yaml" > "$work/daemon/routes/files.yaml"
  sed 's|"0 0 1 \* \* ?"|"15 * * * * ?"|' "$work/1/routes-local/files.yaml" > "$work/daemon/routes/files-local.yaml"
  sed 's|"0 0 1 \* \* ?"|"30 * * * * ?"|; s|bench-files-routes|bench-files-warm|' "$work/1/routes/files.yaml" \
    > "$work/daemon/routes/files-warm.yaml"
  local daemon=("$home/bin/mking-backup" --config "$work/daemon/bench.properties" --routes "$work/daemon/routes")
  # started a few seconds before a minute begins: the production job's :00 is the daemon's first run, the warm job's :30 its third
  while [ "$(date +%-S)" -lt 48 ] || [ "$(date +%-S)" -gt 52 ]; do sleep 0.5; done
  "${daemon[@]}" start > "$work/daemon.log" 2>&1 &
  local daemon_pid=$!
  echo "daemon: scheduled runs ..." >&2
  for _ in $(seq 1 180); do
    sleep 2
    [ "$(psql "${main[@]}" -d "$audit" -Atqc "SELECT count(*) FROM backup_executions WHERE status = 'success'" 2>/dev/null || echo 0)" -ge 15 ] && break
  done
  "${daemon[@]}" stop >/dev/null 2>&1 || true
  wait "$daemon_pid" || true
  for job in routes routes-local warm; do
    psql "${main[@]}" -d "$audit" -Atqc "SELECT extract(epoch FROM end_time - start_time) FROM backup_executions
      WHERE status = 'success' AND job_name = 'bench-files-$job' ORDER BY id" > "$work/out/daemon.$job"
  done
  dropdb "${main[@]}" --if-exists "$audit" 2>/dev/null
}
daemon_runs

mib() { awk -v k="$1" 'BEGIN { printf "%d", k / 1024 }'; } # a median of an even count may be fractional
stamp=$(date -u +%Y-%m-%dT%H%M)
mkdir -p "$home/bench/results"
md="$home/bench/results/$stamp-files.md"
{
  echo "# Files snapshots vs restic and rsync, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Tree: a copy of $source_tree ($entries entries, $files files, $size); $(nproc) cores; $(java -version 2>&1 | head -1);"
  echo "$(restic version | cut -d' ' -f1-2). Median of $pairs repetitions, whole commands (JVM start included)."
  echo "mking-backup production: zstd, AES-256-GCM, SHA-256, verify-after-write, stores local + S3Proxy (S3Proxy's own"
  echo "CPU not counted); local: the same with the local store only. restic: local repository, its defaults;"
  echo "restic → S3: its s3 backend on the same S3Proxy (one store; ours writes two and reads both back)."
  echo "\"touched\": 1 % of the files touched (mtime only). The daemon rows: the jobs fired by Quartz once a minute each in a"
  echo "running daemon (no JVM start; as scheduled backups run), wall time from each run's audit row (start to end); the"
  echo "\"new job\" row is a second production job whose first snapshot comes after the others' runs (a daemon already warm)."
  echo
  echo "| run | mking-backup production | local store only | restic backup | restic → S3 | restic, both | rsync -a | production / restic | production / restic → S3 | production / restic, both |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for step in first unchanged touched; do
    row="| $step "
    for side in production local restic restic-s3 restic-both rsync; do
      row+=$(printf '| %.1f s, CPU %.1f s, %d MiB ' "$(column_median "$step.$side" 1)" "$(column_median "$step.$side" 2)" \
        "$(mib "$(column_median "$step.$side" 3)")")
    done
    row+=$(awk -v a="$(column_median "$step.production" 1)" -v b="$(column_median "$step.restic" 1)" \
      -v c="$(column_median "$step.restic-s3" 1)" -v d="$(column_median "$step.restic-both" 1)" \
      'BEGIN { printf "| %.2f× | %.2f× | %.2f× |", a / b, a / c, a / d }')
    echo "$row"
  done
  printf '| fixed cost: unchanged, a one-file tree | %.2f s, CPU %.2f s, %d MiB | | %.2f s | | | | | | |\n' \
    "$(column_median unchanged.tiny 1)" "$(column_median unchanged.tiny 2)" "$(mib "$(column_median unchanged.tiny 3)")" \
    "$(column_median unchanged.restic-tiny 1)"
  # in the daemon: the first run (a first snapshot), the no-change runs after it (the first of them: a fresh daemon's)
  first_d=$(head -1 "$work/out/daemon.routes") first_dl=$(head -1 "$work/out/daemon.routes-local")
  warm=$(tail -n +3 "$work/out/daemon.routes" | median) warm_l=$(tail -n +3 "$work/out/daemon.routes-local" | median)
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
  printf '| first, scheduled in the daemon (no JVM start; audit times) | %.1f s | %.1f s | | | | | %s× (local only: %s×) | %s× | %s× |\n' \
    "$first_d" "$first_dl" "$(ratio "$first_d" "$(column_median first.restic 1)")" "$(ratio "$first_dl" "$(column_median first.restic 1)")" \
    "$(ratio "$first_d" "$(column_median first.restic-s3 1)")" "$(ratio "$first_d" "$(column_median first.restic-both 1)")"
  first_w=$(head -1 "$work/out/daemon.warm")
  printf '| first of a new job, scheduled in a daemon that ran files jobs before | %.1f s | | | | | | %s× | %s× | %s× |\n' \
    "$first_w" "$(ratio "$first_w" "$(column_median first.restic 1)")" "$(ratio "$first_w" "$(column_median first.restic-s3 1)")" \
    "$(ratio "$first_w" "$(column_median first.restic-both 1)")"
  printf '| unchanged, scheduled in the daemon (warm) | %.2f s (a fresh daemon'"'"'s first: %.2f s) | %.2f s (%s× restic) | | | | | %s× | %s× | %s× |\n' \
    "$warm" "$(sed -n 2p "$work/out/daemon.routes")" "$warm_l" "$(ratio "$warm_l" "$(column_median unchanged.restic 1)")" \
    "$(ratio "$warm" "$(column_median unchanged.restic 1)")" "$(ratio "$warm" "$(column_median unchanged.restic-s3 1)")" \
    "$(ratio "$warm" "$(column_median unchanged.restic-both 1)")"
  echo
  echo "Stored bytes of the last repetition (the local store of mking-backup's three jobs: production, local-only, one-file; restic's local repository): $(tr '\n' ' ' < "$work/out/sizes.$pairs")"
  echo
  echo "Every run (wall s, CPU s, peak RSS KiB):"
  echo
  for step in first unchanged touched; do
    for side in production local restic restic-s3 rsync tiny restic-tiny; do
      [ -f "$work/out/$step.$side" ] || continue
      echo "- $step, $side: $(tr '\n' ';' < "$work/out/$step.$side" | sed 's/;$//; s/;/; /g')"
    done
  done
  echo "- scheduled in the daemon, production (s; the first is the first snapshot): $(tr '\n' ' ' < "$work/out/daemon.routes")"
  echo "- scheduled in the daemon, local store only (s): $(tr '\n' ' ' < "$work/out/daemon.routes-local")"
  echo "- scheduled in the daemon, a second production job (s): $(tr '\n' ' ' < "$work/out/daemon.warm")"
} > "$md"
cat "$md"
echo "written: $md" >&2
