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

# start_sshd: Debian's OpenSSH server as a plain process (not the machine's service) on a free loopback port, with a
# host key, a client key, authorized_keys and known_hosts of its own under $work/ssh (as OpenSshSftpStoreTest runs it);
# sets sshport, sshd_pid, ssh_user and ssh_opts (the client options for ssh, scp and sftp; the port is separate)
start_sshd() {
  local dir="$work/ssh"
  mkdir -p "$dir" /run/sshd # /run/sshd: its privilege separation directory
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/id"
  cp "$dir/id.pub" "$dir/authorized_keys"
  sshport=$(( 30000 + RANDOM % 10000 ))
  while (exec 3<>"/dev/tcp/127.0.0.1/$sshport") 2>/dev/null; do sshport=$(( 30000 + RANDOM % 10000 )); done
  cat > "$dir/sshd_config" <<CONF
Port $sshport
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
CONF
  /usr/sbin/sshd -D -e -f "$dir/sshd_config" > "$dir/sshd.log" 2>&1 &
  sshd_pid=$!
  for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$sshport") 2>/dev/null && break; sleep 0.2; done
  echo "[127.0.0.1]:$sshport $(cat "$dir/host_ed25519.pub")" > "$dir/known_hosts"
  ssh_user=$(id -un)
  ssh_opts=(-i "$dir/id" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$dir/known_hosts"
    -o StrictHostKeyChecking=yes)
}
