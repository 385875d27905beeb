# Shared by the benchmarks: the jar (built when sources are newer), and S3Proxy on the filesystem in its own JVM.
# Source it after setting home (the checkout) and work (a scratch directory).

# ensure_jar: builds target/mking-backup.jar when it is missing or older than the sources
ensure_jar() {
  jar="$home/target/mking-backup.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$home/src/main" "$home/pom.xml" -newer "$jar" -print -quit)" ]; then
    echo "building the jar ..." >&2
    (cd "$home" && mvn -q -B -DskipTests package)
  fi
}

# start_s3proxy: S3Proxy (a test dependency, from the local Maven repository) on a free port; sets s3port and s3pid
start_s3proxy() {
  (cd "$home" && mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp" >/dev/null)
  s3port=$(( 40000 + RANDOM % 10000 ))
  mkdir -p "$work/s3"
  cat > "$work/s3.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$s3port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench-access
s3proxy.credential=bench-secret-0123456789
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$work/s3
PROPS
  # logback without a configuration logs at DEBUG: Jetty then spends more CPU on log lines than on S3
  cat > "$work/s3-logback.xml" <<XML
<configuration><appender name="out" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%msg%n</pattern></encoder></appender>
<root level="WARN"><appender-ref ref="out"/></root></configuration>
XML
  java -Dlogback.configurationFile="$work/s3-logback.xml" -cp "$(cat "$work/cp")" org.gaul.s3proxy.Main \
    --properties "$work/s3.properties" > "$work/s3.log" 2>&1 &
  s3pid=$!
  for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$s3port") 2>/dev/null && break; sleep 0.5; done
  export MKING_STORE_MINIO_ACCESS_KEY=bench-access MKING_STORE_MINIO_SECRET_KEY=bench-secret-0123456789
}

# timed NAME SIDE CMD...: appends "wall cpu rss_kib" to $work/out/NAME.SIDE
timed() {
  local name="$1" side="$2"; shift 2
  if ! /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" > "$work/last.out" 2> "$work/last.err"; then
    echo "$name ($side) failed:" >&2; tail -20 "$work/last.err" >&2; exit 1
  fi
  awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 }' "$work/t" >> "$work/out/$name.$side"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_median() { awk -v c="$2" '{ print $c }' "$work/out/$1" | median; }
