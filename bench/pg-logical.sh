#!/usr/bin/env bash
# Benchmark: pg-logical backup of a generated database whose dump is >= 1 GB, with a 256 MiB heap,
# next to the plain shell pipeline `pg_dump | zstd -1 > file` on the same database in the same run.
# Prints wall times, the ratio, peak RSS of our process and the compression ratio.
#
#   bench/pg-logical.sh [SCALE]     SCALE: pgbench scale factor (default 120, about 1.2 GB of dump)
#
# Needs the machine's PostgreSQL on 127.0.0.1:5432 (trust), /usr/bin/time and zstd.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scale="${1:-120}"
db=mking_bench
bin=/usr/lib/postgresql/15/bin
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! psql -h 127.0.0.1 -U postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  echo "generating $db at pgbench scale $scale ..."
  createdb -h 127.0.0.1 -U postgres "$db"
  "$bin/pgbench" -h 127.0.0.1 -U postgres -i -s "$scale" -q "$db" >/dev/null 2>&1
fi
echo "database size: $(psql -h 127.0.0.1 -U postgres -Atqc "SELECT pg_size_pretty(pg_database_size('$db'))")"

# warm the page cache so neither side pays for the first read
"$bin/pg_dump" -h 127.0.0.1 -U postgres -Fc -Z0 "$db" > /dev/null

start=$(date +%s.%N)
"$bin/pg_dump" -h 127.0.0.1 -U postgres -Fc -Z0 "$db" | zstd -1 -q > "$work/baseline.zst"
baseline=$(echo "$(date +%s.%N) - $start" | bc)
baseline_size=$(stat -c %s "$work/baseline.zst")

mkdir -p "$work/routes" "$work/store"
cat > "$work/routes/bench.yaml" <<YAML
- templatedRoute:
    routeTemplateRef: pg-logical
    parameters:
      - {name: job, value: bench}
      - {name: cron, value: "0 0 3 ? * SUN"}
      - {name: database, value: $db}
YAML
cat > "$work/bench.properties" <<PROPS
mking.audit.url=jdbc:postgresql://127.0.0.1:5432
mking.audit.database=mking_bench_audit
mking.store.local.path=$work/store
mking.pipeline.compression=zstd
mking.pipeline.compression-level=${LEVEL:-1}
# the production profile: encrypted (ENCRYPT=0 to compare without)
mking.encryption.key-dir=$work/keys
mking.encryption.key-id=bench
PROPS
if [ "${ENCRYPT:-1}" = 0 ]; then sed -i '/mking.encryption/d' "$work/bench.properties"; else
  java -jar "$home/target/mking-backup.jar" keygen bench --key-dir "$work/keys" >/dev/null; fi
[ -f "$home/target/mking-backup.jar" ] || (cd "$home" && mvn -q -B -DskipTests package)
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/rss" java -Xmx256m -Dmking.home="$home" -jar "$home/target/mking-backup.jar" \
  --config "$work/bench.properties" --routes "$work/routes" run bench > "$work/out" 2> "$work/err" || { cat "$work/err"; exit 1; }
ours=$(echo "$(date +%s.%N) - $start" | bc)
stored=$(find "$work/store" -name 'dump.pgdump.zst' -exec stat -c %s {} \;)
raw=$(grep -o '"rawSize" : [0-9]*' "$(find "$work/store" -name manifest.json)" | grep -o '[0-9]*$')
# the backup window: from the tool starting to the manifest written (what the daemon pays per run)
t0=$(grep -m1 -o '^[0-9:.]* INFO  BackupRunner - backup .*: running' "$work/err" | cut -d' ' -f1)
t1=$(grep -m1 -o '^[0-9:.]* INFO  BackupRunner - backup .* complete' "$work/err" | cut -d' ' -f1)
window=$(( $(date -d "$t1" +%s%N) / 1000000 - $(date -d "$t0" +%s%N) / 1000000 ))

printf 'raw dump size            %d bytes (%.2f GiB)\n' "$raw" "$(echo "$raw / 1073741824" | bc -l)"
printf 'pg_dump | zstd -1        %.1f s, %d bytes stored\n' "$baseline" "$baseline_size"
printf 'mking-backup backup run  %.1f s (pg_dump start to manifest written, incl. verify-after-write), %d bytes stored\n' "$(echo "$window / 1000" | bc -l)" "$stored"
printf 'time ratio               %.2fx\n' "$(echo "$window / 1000 / $baseline" | bc -l)"
printf 'whole CLI command        %.1f s (adds JVM and runtime start-up, paid once by the daemon)\n' "$ours"
printf 'peak RSS (-Xmx256m)      %d MiB\n' "$(( $(cat "$work/rss") / 1024 ))"
printf 'compression saving       %.1f %%\n' "$(echo "100 * (1 - $stored / $raw)" | bc -l)"
