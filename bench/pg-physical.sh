#!/usr/bin/env bash
# Benchmark: pg-physical on a generated cluster of about 1 GB (pgbench scale 70) with WAL archiving into
# the daemon. Prints: base backup time next to `pg_basebackup -Ft -X fetch -D - | zstd -1` in the same
# run; the sustained WAL archiving rate and lag under pgbench load; the point-in-time recovery time (RTO).
#
#   bench/pg-physical.sh [SCALE] [LOAD_SECONDS]
#
# Runs as root (the throwaway cluster runs as postgres); needs curl, zstd, bc and the machine's
# PostgreSQL on 127.0.0.1:5432 for the audit tables.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scale="${1:-70}"
load="${2:-60}"
bin=/usr/lib/postgresql/15/bin
work="$(mktemp -d /tmp/mking-bench.XXXX)"
chmod 755 "$work"
pgport=$(( 20000 + RANDOM % 10000 ))
http=$(( 30000 + RANDOM % 10000 ))
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null || true
  as_pg "$bin/pg_ctl" -D "$work/restored" -m immediate stop >/dev/null 2>&1 || true
  as_pg "$bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -f "$home/target/mking-backup.jar" ] || (cd "$home" && mvn -q -B -DskipTests package)

mkdir -p "$work/pg" "$work/routes" "$work/store" && chown postgres: "$work/pg"
as_pg "$bin/initdb" -D "$work/pg/data" -A trust -U postgres --no-sync >/dev/null
cat >> "$work/pg/data/postgresql.conf" <<CONF
port = $pgport
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work/pg'
wal_level = replica
archive_mode = on
archive_command = 'curl -fsS -H "Expect:" -T %p http://127.0.0.1:$http/wal/bench-physical/%f'
max_wal_size = '2GB'
CONF
as_pg "$bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w start >/dev/null

cat > "$work/routes/bench.yaml" <<YAML
- templatedRoute:
    routeTemplateRef: pg-physical
    parameters:
      - {name: job, value: bench-physical}
      - {name: cron, value: "0 0 2 * * ?"}
      - {name: port, value: "$pgport"}
      - {name: keepLast, value: "3"}
YAML
cat > "$work/bench.properties" <<PROPS
mking.audit.url=jdbc:postgresql://127.0.0.1:5432
mking.audit.database=mking_bench_audit
mking.store.local.path=$work/store
mking.pipeline.compression-level=1
camel.management.port=$http
# the production profile: encrypted (ENCRYPT=0 to compare without)
mking.encryption.key-dir=$work/keys
mking.encryption.key-id=bench
PROPS
if [ "${ENCRYPT:-1}" = 0 ]; then sed -i '/mking.encryption/d' "$work/bench.properties"; else
  java -jar "$home/target/mking-backup.jar" keygen bench --key-dir "$work/keys" >/dev/null; fi
run_cli() { java -Xmx256m -Dmking.home="$home" -jar "$home/target/mking-backup.jar" --config "$work/bench.properties" --routes "$work/routes" "$@"; }
run_cli start > "$work/daemon.log" 2>&1 &
daemon=$!
until curl -fs "http://127.0.0.1:$http/observe/health" >/dev/null 2>&1; do sleep 1; done

echo "generating pgbench scale $scale ..."
"$bin/pgbench" -h 127.0.0.1 -p "$pgport" -U postgres -i -s "$scale" -q postgres >/dev/null 2>&1
psql -h 127.0.0.1 -p "$pgport" -U postgres -Atqc "CHECKPOINT"
echo "cluster size: $(psql -h 127.0.0.1 -p "$pgport" -U postgres -Atqc "SELECT pg_size_pretty(sum(pg_database_size(oid))) FROM pg_database")"

start=$(date +%s.%N)
"$bin/pg_basebackup" -h 127.0.0.1 -p "$pgport" -U postgres -D - -Ft -X fetch --checkpoint=fast 2>/dev/null | zstd -1 -q > "$work/baseline.tar.zst"
baseline=$(echo "$(date +%s.%N) - $start" | bc)

run_cli run bench-physical > "$work/run.out" 2> "$work/run.err" || { cat "$work/run.err"; exit 1; }
t0=$(grep -m1 -o '^[0-9:.]* INFO  BackupRunner - backup .*: running' "$work/run.err" | cut -d' ' -f1)
t1=$(grep -m1 -o '^[0-9:.]* INFO  BackupRunner - backup .* complete' "$work/run.err" | cut -d' ' -f1)
window=$(( $(date -d "$t1" +%s%N) / 1000000 - $(date -d "$t0" +%s%N) / 1000000 ))
raw=$(grep -o 'raw [0-9.]* [KMG]iB' "$work/run.out" | head -1)

before=$(psql -h 127.0.0.1 -p "$pgport" -U postgres -Atqc "SELECT archived_count FROM pg_stat_archiver")
"$bin/pgbench" -h 127.0.0.1 -p "$pgport" -U postgres -c 4 -j 2 -T "$load" postgres > "$work/pgbench.out" 2>&1
tps=$(grep -o 'tps = [0-9.]*' "$work/pgbench.out" | head -1)
lag_at_end=$(psql -h 127.0.0.1 -p "$pgport" -U postgres -Atqc "SELECT round(extract(epoch FROM now() - last_archived_time)) || ' s since last archive, failures ' || failed_count || ', current ' || pg_walfile_name(pg_current_wal_lsn()) || ', last archived ' || last_archived_wal FROM pg_stat_archiver")
after=$(psql -h 127.0.0.1 -p "$pgport" -U postgres -Atqc "SELECT archived_count FROM pg_stat_archiver")
segments=$(( after - before ))
last=$(psql -h 127.0.0.1 -p "$pgport" -U postgres -Atqc "SELECT pg_walfile_name(pg_current_wal_lsn())")
psql -h 127.0.0.1 -p "$pgport" -U postgres -Atqc "SELECT pg_switch_wal()" >/dev/null
until [ "$(psql -h 127.0.0.1 -p "$pgport" -U postgres -Atqc "SELECT last_archived_wal >= '$last' FROM pg_stat_archiver")" = t ]; do sleep 1; done
kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=

start=$(date +%s.%N)
run_cli recover bench-physical --data-dir "$work/restored" --port $(( pgport + 1 )) > "$work/recover.out" 2> "$work/recover.err" || { cat "$work/recover.err"; exit 1; }
recover=$(echo "$(date +%s.%N) - $start" | bc)
rows=$(psql -h 127.0.0.1 -p $(( pgport + 1 )) -U postgres -Atqc "SELECT count(*) FROM pgbench_history")
orig=$(psql -h 127.0.0.1 -p "$pgport" -U postgres -Atqc "SELECT count(*) FROM pgbench_history")

printf 'pg_basebackup | zstd -1          %.1f s\n' "$baseline"
printf 'mking-backup base backup         %.1f s (%s; pg_basebackup start to manifest written) -> %.2fx\n' \
  "$(echo "$window / 1000" | bc -l)" "$raw" "$(echo "$window / 1000 / $baseline" | bc -l)"
printf 'WAL archiving under pgbench      %d segments in %d s = %.2f segments/s (%s); at the end: %s\n' \
  "$segments" "$load" "$(echo "$segments / $load" | bc -l)" "$tps" "$lag_at_end"
printf 'point-in-time recovery (latest)  %.1f s for the whole command; %s\n' "$recover" "$(grep -o 'RTO [0-9]* s' "$work/recover.out")"
printf 'rows in pgbench_history          %s restored, %s in the source\n' "$rows" "$orig"
