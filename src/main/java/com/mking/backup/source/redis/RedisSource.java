package com.mking.backup.source.redis;

import com.mking.backup.config.ConfigException;
import com.mking.backup.exec.RemoteShell;
import com.mking.backup.exec.ShortCommand;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.RestoreTarget;
import com.mking.backup.source.Source;
import com.mking.backup.source.ToolCommand;
import com.mking.backup.source.RestoreDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Redis (seed §2.1.2). {@code method: bgsave} asks the server for a snapshot ({@code BGSAVE SCHEDULE}), waits until
 * {@code LASTSAVE} moves past the value read before asking, then reads {@code dump.rdb} from the data directory (on
 * the job's host over SSH when it names one); with AOF on, the AOF directory's files (base, increments, manifest) are
 * backed up after a {@code BGREWRITEAOF} completed. {@code method: rdb-pull} pulls a fresh snapshot over the
 * replication protocol ({@code redis-cli --rdb -}) when the data directory is out of reach.
 *
 * <p>The password reaches redis-cli as {@code REDISCLI_AUTH}, in its environment only, never {@code -a}. A restore writes
 * the files into a directory (the old one moved aside, never deleted) and, given a port, starts a new redis-server on
 * it, bound to loopback.
 */
public final class RedisSource implements Source, com.mking.backup.source.Probe, com.mking.backup.source.RestoreTestable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSource.class);
    static final String AOF_PREFIX = "appendonlydir/";
    /** The artefact holding the sampled keys (see {@link #writeSample}); not a file of the restored data directory. */
    static final String SAMPLE = "key-sample.txt";
    static final String WRITES_WHILE_COUNTING = "writesWhileCounting";
    private static final long SHORT_TIMEOUT_SECONDS = 30;
    /** --bigkeys walks the whole key space: about 13 s per million keys here. */
    private static final long SCAN_TIMEOUT_SECONDS = 3600;

    private final RemoteShell remoteShell;
    private final Path temporaryDirectory;
    /** Per job: the keys drawn before this run's snapshot, until its sample artefact is written. */
    private final Map<String, List<RedisContent.Sampled>> drawn = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param temporaryDirectory where a format check may copy an AOF file it must seek in (removed after) */
    public RedisSource(RemoteShell remoteShell, Path temporaryDirectory) {
        this.remoteShell = remoteShell;
        this.temporaryDirectory = temporaryDirectory.toAbsolutePath();
    }

    /** Testable here only where a redis-server can be started (backups need only redis-cli). */
    @Override
    public boolean testableHere(JobSpec job) {
        return com.mking.backup.exec.Executables.isExecutable(tool(job, "redis-server"));
    }

    /**
     * A directory and a free loopback port: the restore starts a redis-server there and compares its key count. What a
     * test that died left behind (its server, its files) is removed first.
     */
    @Override
    public RestoreTarget scratch(JobSpec job, Path workDirectory) throws IOException {
        java.nio.file.Files.createDirectories(workDirectory);
        RestoreTarget scratch;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            scratch = new RestoreTarget.Directory(workDirectory.resolve(job.name()), socket.getLocalPort());
        }
        cleanUp(job, scratch);
        return scratch;
    }

    /**
     * The restore already compared the loaded keys with the backup's records (counts, counts per type, sampled values);
     * the counts per database are reported.
     */
    @Override
    public String check(JobSpec job, RestoreTarget scratch) throws IOException {
        Map<String, String> keyspace = RedisSnapshot.parseInfo(ShortCommand.run(new ToolCommand(tool(job, "redis-cli"),
                List.of("-p", Integer.toString(((RestoreTarget.Directory) scratch).port()), "INFO", "keyspace")),
                SHORT_TIMEOUT_SECONDS));
        return "a redis-server on the restored files loaded " + keyspace;
    }

    /** Stops the scratch server by its pid file (never by port: another process may hold it) and removes its files. */
    @Override
    public void cleanUp(JobSpec job, RestoreTarget scratch) {
        Path target = ((RestoreTarget.Directory) scratch).path();
        RedisServers.stop(target);
        try {
            RestoreDirectory.deleteTree(target);
            RestoreDirectory.deleteTree(RestoreDirectory.scratchOf(target));
        } catch (IOException e) {
            LOG.warn("could not remove the restore test's {}: {}", target, e.getMessage());
        }
    }

    /** LASTSAVE answers a number: the server is up and the job's user may run what a backup needs (no extra ACL). */
    @Override
    public Optional<String> unreachable(JobSpec job) {
        try {
            String answer = cli(job, "LASTSAVE");
            return answer.matches("\\d+") ? Optional.empty() : Optional.of("LASTSAVE answered " + answer);
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public String subject(JobSpec job) {
        return "Redis server of job " + job.name();
    }

    @Override
    public String location(JobSpec job) {
        return job.parameter("ssh").map(ssh -> ssh + " ").orElse("") + job.parameter("host", "127.0.0.1") + ":"
                + job.parameter("port", "6379");
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public String method() {
        return "full";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.text("host", "127.0.0.1",
                        "server host name or address, as seen from the host that runs the tools", "127.0.0.1"),
                Parameter.port("port", "6379", "server port", "6380"),
                Parameter.choice("method", List.of("bgsave", "rdb-pull"), "bgsave",
                        "bgsave (BGSAVE, then read dump.rdb and the AOF files from the data "
                        + "directory) or rdb-pull (redis-cli --rdb over the network; no AOF)", "rdb-pull"),
                Parameter.text("user", "", "ACL user (redis-cli --user); empty: the default user", "backup"),
                Parameter.file("passwordFile", "",
                        "file holding the password (a secret file); wins over passwordEnv", "/run/secrets/redis_password"),
                Parameter.text("passwordEnv", "",
                        "environment variable holding the password; empty: no AUTH", "REDIS_PASSWORD"),
                Parameter.flag("tls", "false", "connect with TLS (redis-cli --tls)", "true"),
                Parameter.file("tlsCaCert", "", "CA certificate file for TLS (redis-cli --cacert)", "/etc/redis/tls/ca.crt"),
                Parameter.file("dataDir", "",
                        "data directory as the backup host sees it; empty: CONFIG GET dir", "/var/lib/redis"),
                Parameter.choice("aof", List.of("auto", "off"), "auto",
                        "auto (back up the AOF files when appendonly is on) or off", "off"),
                Parameter.count("saveTimeoutSeconds", "600", "how long BGSAVE and BGREWRITEAOF may take", "1800"),
                Parameter.count("typeCountsMaxKeys", "250000", "count keys per type before the snapshot (redis-cli "
                        + "--bigkeys: a SCAN of the key space, about 13 s per million keys) in databases up to this many "
                        + "keys, so a restore compares them; 0: never", "2000000"),
                Parameter.count("sampleKeys", "16", "keys per database whose values a restore compares (drawn before "
                        + "the snapshot, kept if unchanged after it); 0: none", "64"),
                Parameter.file("binDir", "",
                        "directory of redis-cli and redis-check-rdb; empty: the PATH", "/opt/redis/bin"));
    }

    @Override
    public void validate(JobSpec job) {
        String method = job.parameter("method", "bgsave"); // types and choices: checked from parameters()
        if (method.equals("bgsave") && !RemoteShell.isRemote(job) && job.parameter("dataDir").isEmpty()
                && !isLoopback(job.parameter("host", "127.0.0.1"))) {
            throw new ConfigException(job.where("host"), "method bgsave reads dump.rdb from the server's data directory, but "
                    + job.parameter("host", "127.0.0.1") + " is another host and the job names neither ssh nor dataDir",
                    "add ssh (user@host) to read it there, set dataDir if the directory is mounted here, or use method rdb-pull");
        }
        if (password(job).isPresent() && RemoteShell.isRemote(job)) {
            throw new ConfigException(job.where("ssh"), "a Redis password cannot be passed to redis-cli over ssh without "
                    + "putting it on the remote command line", "use method rdb-pull from this host (drop ssh), or give the "
                    + "remote user its own credentials");
        }
        job.parameter("passwordFile").ifPresent(file -> {
            if (!java.nio.file.Files.isReadable(Path.of(file))) {
                throw new ConfigException(job.where("passwordFile"), file + " is not a readable file",
                        "create it with the password on its first line, readable by this user only");
            }
        });
    }

    @Override
    public Description describe(JobSpec job) throws IOException {
        Map<String, String> server = info(job, "server");
        Map<String, String> details = new LinkedHashMap<>();
        details.put("host", job.parameter("host", "127.0.0.1"));
        details.put("port", job.parameter("port", "6379"));
        details.put("method", job.parameter("method", "bgsave"));
        // keys=N,expires=M,...: keys with a TTL (expires) may be gone when the backup is loaded again
        info(job, "keyspace").forEach((db, value) -> {
            Map<String, String> counts = RedisServers.keyspaceCounts(value);
            details.put("keys." + db, counts.getOrDefault("keys", "0"));
            details.put("expires." + db, counts.getOrDefault("expires", "0"));
        });
        return new Description(toolVersion(job), "Redis " + server.getOrDefault("redis_version", "unknown"), details);
    }

    /**
     * Counts keys per type and draws the sample of values first (both before the snapshot), then, for bgsave, saves
     * the snapshot and rewrites the AOF. Counting or sampling that the server refuses (an ACL without SCAN or
     * RANDOMKEY) is noted and does not fail the backup: it only makes restores compare less.
     */
    @Override
    public Map<String, String> prepareBackup(JobSpec job) throws IOException {
        Map<String, String> details = new LinkedHashMap<>();
        drawn.remove(job.name());
        try {
            RedisContent content = new RedisContent(args -> rawCli(job, args));
            long countUpTo = Long.parseLong(job.parameter("typeCountsMaxKeys", "250000"));
            int sampleKeys = Integer.parseInt(job.parameter("sampleKeys", "16"));
            List<RedisContent.Sampled> sample = new ArrayList<>();
            long writesBefore = writesSinceSave(job);
            for (Map.Entry<Integer, Long> db : databases(job).entrySet()) {
                if (db.getValue() <= countUpTo) {
                    details.putAll(RedisContent.countDetails(db.getKey(), content.typeCounts(db.getKey())));
                } else {
                    LOG.info("job {}: db{} holds {} keys, more than typeCountsMaxKeys ({}): keys per type not counted",
                            job.name(), db.getKey(), db.getValue(), countUpTo);
                }
                sample.addAll(content.sample(db.getKey(), sampleKeys));
            }
            long writesAfter = writesSinceSave(job);
            // writes while counting may have removed counted keys before the snapshot; a save meanwhile reset the
            // counter, and then the writes after it are all that is known
            details.put(WRITES_WHILE_COUNTING, Long.toString(writesAfter >= writesBefore ? writesAfter - writesBefore : writesAfter));
            if (!sample.isEmpty()) {
                drawn.put(job.name(), sample);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("job {}: keys per type and sampled values not recorded (a restore compares key counts only): {}",
                    job.name(), e.getMessage());
            details.put("restoreCheck", "key counts only: " + e.getMessage());
        }
        if (isPull(job)) {
            return details; // the server makes a fresh snapshot for the replication stream itself
        }
        long timeout = Long.parseLong(job.parameter("saveTimeoutSeconds", "600"));
        long poll = RemoteShell.isRemote(job) ? RedisSnapshot.REMOTE_POLL_MILLIS : RedisSnapshot.LOCAL_POLL_MILLIS;
        new RedisSnapshot(command -> cli(job, command), timeout, poll).save();
        if (aofEnabled(job)) {
            new RedisSnapshot(command -> cli(job, command), timeout, poll).rewriteAof();
        }
        return details;
    }

    /**
     * The sampled keys that still read as they did before the snapshot, now that the snapshot was read: the snapshot
     * holds them. Written as an artefact of its own, so it is encrypted with the data (key names and value digests
     * stay out of the plain manifest). A key that cannot be read again is left out; nothing here fails the backup.
     */
    private void writeSample(JobSpec job, java.io.OutputStream out) throws IOException {
        List<RedisContent.Sampled> sample = drawn.remove(job.name());
        StringBuilder text = new StringBuilder("# keys drawn before the snapshot and unchanged after it: db hex(key) type length digest\n");
        try {
            for (RedisContent.Sampled key : new RedisContent(args -> rawCli(job, args)).stable(sample == null ? List.of() : sample)) {
                text.append(key.encode()).append('\n');
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("job {}: the sampled values could not be read again; a restore compares key counts only: {}",
                    job.name(), e.getMessage());
            text.append("# not recorded: ").append(e.getMessage()).append('\n');
        }
        out.write(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Writes since the last save (INFO persistence rdb_changes_since_last_save). */
    private long writesSinceSave(JobSpec job) throws IOException {
        return Long.parseLong(info(job, "persistence").getOrDefault("rdb_changes_since_last_save", "0"));
    }

    /** Databases holding keys now and how many (INFO keyspace): db0:keys=12,... → 0 = 12. */
    private Map<Integer, Long> databases(JobSpec job) throws IOException {
        Map<Integer, Long> databases = new java.util.TreeMap<>();
        info(job, "keyspace").forEach((db, value) -> {
            if (db.matches("db\\d+")) {
                databases.put(Integer.parseInt(db.substring(2)),
                        Long.parseLong(RedisServers.keyspaceCounts(value).getOrDefault("keys", "0")));
            }
        });
        return databases;
    }

    /** The snapshot (and the AOF files), then the sampled keys read again once the snapshot was read. */
    @Override
    public List<Output> outputs(JobSpec job) throws IOException {
        List<Output> outputs = new ArrayList<>(dataOutputs(job));
        if (drawn.containsKey(job.name())) {
            outputs.add(Output.written(SAMPLE, out -> writeSample(job, out)));
        }
        return outputs;
    }

    private List<Output> dataOutputs(JobSpec job) throws IOException {
        if (isPull(job)) {
            return List.of(new Output("dump.rdb", withAuth(job, new ToolCommand(tool(job, "redis-cli"),
                    connection(job, "--rdb", "-")))));
        }
        String dir = dataDir(job);
        String snapshot = dir + "/" + config(job, "dbfilename");
        requireFresh(job, snapshot);
        List<Output> outputs = new ArrayList<>();
        outputs.add(new Output("dump.rdb", cat(snapshot)));
        if (aofEnabled(job)) {
            String aofDir = dir + "/" + config(job, "appenddirname");
            String manifestName = config(job, "appendfilename") + ".manifest";
            String manifest = remoteShell.runShort(job, cat(aofDir + "/" + manifestName), SHORT_TIMEOUT_SECONDS);
            for (String file : AofManifest.files(manifest)) {
                outputs.add(new Output(AOF_PREFIX + file, cat(aofDir + "/" + file)));
            }
            // the manifest as read above, naming exactly the files above (a rewrite meanwhile would name others; their
            // files then fail to read, rather than a manifest pointing at files the backup does not have); last, so
            // a restore that has it has them all
            byte[] manifestBytes = manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            outputs.add(Output.written(AOF_PREFIX + manifestName, out -> out.write(manifestBytes)));
        }
        return outputs;
    }

    /**
     * An RDB file (the snapshot, or an AOF base written with the RDB preamble) must pass redis-check-rdb; an AOF file
     * redis-check-aof, which needs a file it can seek (a temporary copy, removed after).
     */
    @Override
    public Optional<ToolCommand> checkCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact) {
        if (artefact.name().endsWith(".rdb")) {
            return Optional.of(new ToolCommand(tool(job, "redis-check-rdb"), List.of("/dev/stdin")));
        }
        if (artefact.name().endsWith(".aof")) {
            // the last increment is the one Redis was appending to while it was read
            String live = manifest.artefacts().stream().map(Manifest.Artefact::name).filter(name -> name.endsWith(".incr.aof"))
                    .reduce((first, second) -> second).filter(artefact.name()::equals).isPresent() ? "live" : "closed";
            return Optional.of(new ToolCommand("sh", List.of("-c", AOF_CHECK, "check-aof", tool(job, "redis-check-aof"), live,
                    temporaryDirectory.toString())));
        }
        return Optional.empty();
    }

    /**
     * redis-check-aof on a temporary copy of stdin (it must seek), in the data directory's tmp (not a RAM-backed /tmp;
     * removed on any exit). The file Redis was appending to may end in a command cut short by the read, which Redis
     * drops when it loads the file (aof-load-truncated): for it, and only when the tool ran out of bytes (no bytes it
     * read were wrong) and nothing after the last good command starts another one, the check passes, saying so.
     */
    static final String AOF_CHECK = """
            mkdir -p "$3" || exit 1
            f=$(mktemp "$3/aof-check.XXXXXX") || exit 1
            trap 'rm -f "$f"' EXIT
            trap 'exit 1' HUP INT TERM
            cat > "$f" || exit 1
            out=$("$1" "$f" 2>&1); rc=$?
            printf '%s\\n' "$out" >&2
            [ "$rc" -eq 0 ] && exit 0
            [ "$rc" -eq 1 ] && [ "$2" = live ] || exit 1
            if printf '%s\\n' "$out" | grep -Eq "format error|Expected prefix|suitable range|MULTI|EXEC|got: (0[1-9a-f]|[1-9a-f][0-9a-f])(0[1-9a-f]|[1-9a-f][0-9a-f])"; then
              exit 1
            fi
            ok=$(printf '%s\\n' "$out" | sed -n 's/.*ok_up_to=\\([0-9]*\\),.*/\\1/p' | head -n 1)
            [ -n "$ok" ] || exit 1
            if tail -c +"$((ok + 1))" "$f" | tail -n +2 | LC_ALL=C grep -aEq '^[*][0-9]+'; then
              exit 1
            fi
            echo "valid up to a last command cut short while Redis was writing it (Redis drops it on load)" >&2
            """;

    @Override
    public void checkRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        RestoreDirectory directory = RestoreDirectory.of(request, "a Redis backup",
                "the data directory to write dump.rdb (and appendonlydir) into");
        directory.check();
        // a server still running on the directory would follow it aside and keep writing there
        Optional<ProcessHandle> running = RedisServers.pid(directory.target()).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive);
        if (running.isPresent()) {
            throw new IllegalArgumentException("a redis-server (pid " + running.get().pid() + ") is running on " + directory.target()
                    + ": stop it first (redis-cli SHUTDOWN), then restore");
        }
        Integer port = ((RestoreTarget.Directory) request.target()).port();
        if (port != null) {
            try (java.net.ServerSocket free = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                free.getLocalPort();
            } catch (IOException e) {
                throw new IllegalArgumentException("--port " + port + " is in use on 127.0.0.1: choose a free port for the "
                        + "restored redis-server");
            }
        }
    }

    @Override
    public void prepareRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        RestoreDirectory.of(request, "a Redis backup", "").prepare();
    }

    @Override
    public ToolCommand restoreCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact, RestoreRequest request) {
        return RestoreDirectory.of(request, "a Redis backup", "").writeCommand(artefact.name());
    }

    /**
     * Puts the files in place; given a port, starts a new redis-server on them (loopback only), waits until it loaded
     * the data, and compares its key count with what the backup recorded.
     */
    @Override
    public Map<String, String> finishRestore(JobSpec job, Manifest manifest, RestoreRequest request, boolean succeeded)
            throws IOException {
        RestoreDirectory directory = RestoreDirectory.of(request, "a Redis backup", "");
        if (!succeeded) {
            directory.discard();
            return Map.of();
        }
        // the sample travelled as an artefact: read it, and keep it out of the data directory
        Path sampleFile = directory.file(SAMPLE);
        List<RedisContent.Sampled> sample = java.nio.file.Files.exists(sampleFile)
                ? RedisContent.sampleFrom(java.nio.file.Files.readAllLines(sampleFile)) : List.of();
        java.nio.file.Files.deleteIfExists(sampleFile);
        Map<String, String> reached = new LinkedHashMap<>(directory.putInPlace());
        Integer port = ((RestoreTarget.Directory) request.target()).port();
        if (port != null) {
            // the AOF, when backed up, is what a server with appendonly on loads: its file name must be the backed-up one
            Optional<String> appendFile = manifest.artefacts().stream().map(Manifest.Artefact::name)
                    .filter(name -> name.startsWith(AOF_PREFIX) && name.endsWith(".manifest"))
                    .map(name -> name.substring(AOF_PREFIX.length(), name.length() - ".manifest".length())).findFirst();
            long expected = sum(manifest, "keys.");
            long mayExpire = sum(manifest, "expires.");
            try {
                long loaded = RedisServers.start(tool(job, "redis-server"), tool(job, "redis-cli"), directory.target(),
                        port, appendFile);
                // counted just before the snapshot: writes meanwhile may add keys, TTLs since may remove those with one
                if (loaded < expected - mayExpire || (expected > 0 && loaded == 0)) {
                    throw new IOException("it loaded " + loaded + " keys where the server had " + expected + " (" + mayExpire
                            + " with a TTL) when the backup was taken");
                }
                Map<Integer, Map<String, Long>> counted = RedisContent.countsFrom(manifest.details());
                long writes = Long.parseLong(manifest.details().getOrDefault(WRITES_WHILE_COUNTING, "0"));
                List<String> differences = new RedisContent(args -> restoredCli(job, port, args))
                        .differences(counted, expiring(manifest), writes, sample);
                if (!differences.isEmpty()) {
                    throw new IOException(String.join("; ", differences));
                }
                int types = counted.values().stream().mapToInt(Map::size).sum();
                if (types + sample.size() > 0) {
                    reached.put(REACHED_COMPARED, types + " key counts per type, " + sample.size() + " sampled values");
                }
            } catch (IOException e) {
                throw new IOException("the files were restored into " + directory.target() + ", but the redis-server "
                        + "started on them on port " + port + " is not right: " + e.getMessage(), e);
            }
            reached.put("server", "127.0.0.1:" + port);
        }
        if (manifest.artefacts().stream().noneMatch(artefact -> artefact.name().startsWith(AOF_PREFIX))) {
            // Redis 7 with appendonly yes and no appendonlydir starts empty and ignores dump.rdb
            reached.put("note", "this backup has no AOF files: start a server on it with appendonly no (then, if wanted, "
                    + "CONFIG SET appendonly yes, which writes the AOF from the loaded data); with appendonly yes it would "
                    + "start empty");
        }
        LOG.info("Redis files restored into {}{}", directory.target(), port == null ? "" : ", redis-server started on port " + port);
        return reached;
    }

    /**
     * The file read must be the snapshot just written: one older than LASTSAVE means this host sees another directory
     * (a replica's, a stale mount) than the server it asked to save.
     */
    private void requireFresh(JobSpec job, String snapshot) throws IOException {
        long lastSave = Long.parseLong(cli(job, "LASTSAVE"));
        String modified = remoteShell.runShort(job, new ToolCommand("stat", List.of("-c", "%Y", "--", snapshot)),
                SHORT_TIMEOUT_SECONDS).strip();
        if (!modified.matches("\\d+") || Long.parseLong(modified) < lastSave - 2) {
            throw new IOException(snapshot + " was last written at " + modified + ", before the snapshot Redis just saved ("
                    + "LASTSAVE " + lastSave + "): this host does not see the server's data directory; set dataDir or ssh, "
                    + "or use method rdb-pull");
        }
    }

    /** Keys with a TTL per database when the backup was taken (expires.db0=...): they may be gone by a restore. */
    private static Map<Integer, Long> expiring(Manifest manifest) {
        Map<Integer, Long> expiring = new java.util.TreeMap<>();
        manifest.details().forEach((name, value) -> {
            if (name.matches("expires\\.db\\d+")) {
                expiring.put(Integer.parseInt(name.substring("expires.db".length())), Long.parseLong(value));
            }
        });
        return expiring;
    }

    private static long sum(Manifest manifest, String prefix) {
        return manifest.details().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(e -> Long.parseLong(e.getValue())).sum();
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    // --- redis-cli --------------------------------------------------------------------------------

    private String cli(JobSpec job, String... command) throws IOException {
        ToolCommand cli = withAuth(job, new ToolCommand(tool(job, "redis-cli"), connection(job, command)));
        return remoteShell.runShort(job, cli, SHORT_TIMEOUT_SECONDS).strip();
    }

    /** redis-cli against the job's server, its output as printed (values keep their own blanks and line ends). */
    private String rawCli(JobSpec job, List<String> args) throws IOException {
        ToolCommand cli = withAuth(job, new ToolCommand(tool(job, "redis-cli"), connection(job, args.toArray(String[]::new))));
        return remoteShell.runShort(job, cli, timeout(args));
    }

    private static long timeout(List<String> args) {
        return args.contains("--bigkeys") ? SCAN_TIMEOUT_SECONDS : SHORT_TIMEOUT_SECONDS;
    }

    /** redis-cli against a server started here on restored files (loopback, no password). */
    private static String restoredCli(JobSpec job, int port, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of("-p", Integer.toString(port)));
        command.addAll(args);
        return ShortCommand.run(new ToolCommand(tool(job, "redis-cli"), command), timeout(args));
    }

    private Map<String, String> info(JobSpec job, String section) throws IOException {
        try {
            return RedisSnapshot.parseInfo(cli(job, "INFO", section));
        } catch (IOException e) {
            throw new IOException("cannot reach Redis at " + job.parameter("host", "127.0.0.1") + ":"
                    + job.parameter("port", "6379") + ": " + e.getMessage(), e);
        }
    }

    /** A CONFIG GET value; servers that renamed CONFIG away need dataDir set. */
    private String config(JobSpec job, String name) throws IOException {
        List<String> lines = cli(job, "CONFIG", "GET", name).lines().toList();
        if (lines.size() < 2) {
            throw new IOException("Redis did not answer CONFIG GET " + name + " (" + String.join(" ", lines)
                    + "); set the job's dataDir parameter, or allow CONFIG for the backup user");
        }
        return lines.get(1);
    }

    private String dataDir(JobSpec job) throws IOException {
        Optional<String> configured = job.parameter("dataDir");
        return configured.isPresent() ? configured.get() : config(job, "dir");
    }

    private boolean aofEnabled(JobSpec job) throws IOException {
        return !isPull(job) && job.parameter("aof", "auto").equals("auto") && "yes".equals(config(job, "appendonly"));
    }

    private static boolean isPull(JobSpec job) {
        return job.parameter("method", "bgsave").equals("rdb-pull");
    }

    private static List<String> connection(JobSpec job, String... command) {
        List<String> args = new ArrayList<>(List.of("-h", job.parameter("host", "127.0.0.1"), "-p", job.parameter("port", "6379"),
                "--no-auth-warning"));
        job.parameter("user").ifPresent(user -> args.addAll(List.of("--user", user)));
        if (job.parameter("tls", "false").equalsIgnoreCase("true")) {
            args.add("--tls");
            job.parameter("tlsCaCert").ifPresent(ca -> args.addAll(List.of("--cacert", ca)));
        }
        args.addAll(List.of(command));
        return args;
    }

    private static ToolCommand withAuth(JobSpec job, ToolCommand command) {
        return password(job).map(secret -> command.withSecret("REDISCLI_AUTH", secret)).orElse(command);
    }

    private static Optional<ToolCommand.Secret> password(JobSpec job) {
        Optional<String> file = job.parameter("passwordFile");
        if (file.isPresent()) {
            return Optional.of(ToolCommand.Secret.file(Path.of(file.get())));
        }
        return job.parameter("passwordEnv").map(ToolCommand.Secret::environment);
    }

    private static ToolCommand cat(String file) {
        return new ToolCommand("cat", List.of("--", file));
    }

    static String tool(JobSpec job, String name) {
        return job.parameter("binDir").map(dir -> Path.of(dir, name).toString()).orElse(name);
    }

    private static String toolVersion(JobSpec job) {
        try {
            return ShortCommand.run(new ToolCommand(tool(job, "redis-cli"), List.of("--version")), SHORT_TIMEOUT_SECONDS).strip();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** redis; short commands run over SSH too when a job names a host. */
    public static final class Factory implements com.mking.backup.source.SourceFactory {
        @Override
        public Source create(Context context) {
            return new RedisSource(context.remoteShell(), context.settings().dataDir().resolve("tmp"));
        }
    }
}
