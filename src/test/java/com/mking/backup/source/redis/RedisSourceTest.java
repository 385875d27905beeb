package com.mking.backup.source.redis;

import com.mking.backup.source.SourceContractTest;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestSshServer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis through the source contract, against a real redis-server (random port, AOF on, a password) holding thousands
 * of keys of every type with TTLs: restored into a new redis-server started by the restore itself, every key, type,
 * value and TTL (within a second) is compared with the original, key by key, by a script running in both servers.
 */
class RedisSourceTest extends SourceContractTest {


    private static final String FILL_SCRIPT = """
            for i = 1, tonumber(ARGV[1]) do
              redis.call('SET', 'str:' .. i, 'value-' .. i .. '-' .. string.rep('x', i % 97))
              redis.call('HSET', 'hash:' .. i, 'name', 'n' .. i, 'size', tostring(i * 3))
              redis.call('RPUSH', 'list:' .. i, 'a' .. i, 'b' .. i, 'c' .. i)
              redis.call('SADD', 'set:' .. i, 'm' .. i, 'n' .. i, 'o' .. i)
              redis.call('ZADD', 'zset:' .. i, i, 'z' .. i, i + 0.5, 'y' .. i)
              redis.call('XADD', 'stream:' .. i, i .. '-1', 'field', 'v' .. i)
              if i % 7 == 0 then
                redis.call('EXPIRE', 'str:' .. i, 3600 + i)
                redis.call('EXPIRE', 'hash:' .. i, 7200 + i)
              end
            end
            local bytes = {}
            for b = 0, 255 do bytes[#bytes + 1] = string.char(b) end
            redis.call('SET', 'binary', table.concat(bytes))
            return redis.call('DBSIZE')
            """;

    private Path dataDir;
    private int port;
    private int restoredPort;
    private final List<Integer> started = new ArrayList<>();
    private Path passwordFile;

    @Override
    protected String kind() {
        return "redis";
    }

    @Override
    protected void startSource() throws Exception {
        dataDir = Files.createTempDirectory("redis-source");
        passwordFile = installation.home().resolve("redis.password");
        Files.writeString(passwordFile, "s3cret-redis-pw\n");
        port = TestCluster.freePort();
        startServer(port, dataDir, "--appendonly", "yes", "--requirepass", "s3cret-redis-pw", "--enable-protected-configs", "yes");
        String keys = cli(port, true, "EVAL", FILL_SCRIPT, "0", "1000").strip();
        assertThat(Integer.parseInt(keys)).isEqualTo(6001);
    }

    @Override
    protected void stopSource() throws Exception {
        for (int p : started) {
            try {
                cli(p, true, "SHUTDOWN", "NOSAVE");
            } catch (Exception e) {
                // already gone
            }
        }
    }

    @Override
    protected Map<String, String> jobParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("port", Integer.toString(port));
        parameters.put("passwordFile", passwordFile.toString());
        return parameters;
    }

    @Override
    protected List<String> expectedArtefacts() {
        // the backup rewrites the AOF first: the sequence number is the server's
        return List.of("dump\\.rdb", "appendonlydir/appendonly\\.aof\\.\\d+\\.base\\.rdb",
                "appendonlydir/appendonly\\.aof\\.\\d+\\.incr\\.aof", "appendonlydir/appendonly\\.aof\\.manifest",
                "key-sample\\.txt");
    }

    @Override
    protected List<String> restoreArguments(Path target) throws Exception {
        restoredPort = TestCluster.freePort();
        return List.of("--target", target.toString(), "--port", Integer.toString(restoredPort));
    }

    @Override
    protected void assertRestoredEqualsOriginal(Path target) throws Exception {
        started.add(restoredPort);
        assertThat(target.resolve("dump.rdb")).exists();
        assertThat(target.resolve(RedisSource.SAMPLE)).as("the sample is compared, not left in the data directory").doesNotExist();
        assertThat(target.resolve("appendonlydir")).isDirectoryContaining(p -> p.getFileName().toString().endsWith(".manifest"));
        assertSameData(port, true, restoredPort, false);
    }

    /** A data directory the server cannot write: its BGSAVE fails (as with a read-only or full disk). */
    @Override
    protected void breakSource() throws Exception {
        cli(port, true, "CONFIG", "SET", "dir", "/proc/sys");
    }

    @Override
    protected void repairSource() throws Exception {
        cli(port, true, "CONFIG", "SET", "dir", dataDir.toString());
    }

    @Override
    protected String expectedFailure() {
        return "Redis BGSAVE failed (rdb_last_bgsave_status:err)";
    }

    /** A restore that would collide with a running server, or a busy port, is refused before anything is written. */
    @Test
    @Order(38)
    void aBusyPortOrARunningServerIsRefusedFirst() throws Exception {
        Path target = installation.home().resolve("busy-port");
        CliResult busy = installation.cli("restore", backupId, "--target", target.toString(), "--port", Integer.toString(port));
        assertThat(busy.exitCode()).as(busy.all()).isEqualTo(2);
        assertThat(busy.err()).contains("--port " + port + " is in use");
        assertThat(target).doesNotExist();

        Path live = Files.createTempDirectory("redis-live");
        int livePort = TestCluster.freePort();
        startServer(livePort, live, "--requirepass", "s3cret-redis-pw", "--pidfile", live.resolve("redis.pid").toString());
        Files.writeString(live.resolve("dump.rdb"), "the live server's");
        CliResult running = installation.cli("restore", backupId, "--target", live.toString(), "--force");
        assertThat(running.exitCode()).as(running.all()).isEqualTo(2);
        assertThat(running.err()).contains("is running on").contains("stop it first");
    }

    @Test
    @Order(60)
    void everyRdbIsCheckedByRedisCheckRdbAndThePasswordNeverShows() throws Exception {
        assertThat(audit("SELECT bool_and(format_checked)::text FROM backup_verifications WHERE status = 'passed'")).isEqualTo("true");
        assertThat(audit("SELECT count(*) FROM backup_executions WHERE error_message LIKE '%s3cret-redis-pw%'")).isEqualTo("0");
        assertThat(manifest().serverVersion()).startsWith("Redis 7");
        assertThat(manifest().details()).containsEntry("keys.db0", "6001")
                .containsEntry("types.db0.string", "1001").containsEntry("types.db0.hash", "1000")
                .containsEntry("types.db0.list", "1000").containsEntry("types.db0.set", "1000")
                .containsEntry("types.db0.zset", "1000").containsEntry("types.db0.stream", "1000")
                .containsKey(RedisSource.WRITES_WHILE_COUNTING).doesNotContainKey("sample.0");
        // the AOF increment went through redis-check-aof (the verification's format check ran on every artefact)
        assertThat(audit("SELECT count(*) FROM backup_verifications WHERE status = 'passed' AND format_checked")).isNotEqualTo("0");
    }

    /**
     * A restore is compared with what the backup recorded: a key missing from a sampled key's database, a value
     * changed, or fewer keys of a type, are each named.
     */
    @Test
    @Order(99)
    void aRestoredServerThatDiffersFromTheRecordsIsNamed() throws Exception {
        RedisContent.Cli db = args -> {
            try {
                return cli(port, true, args.toArray(String[]::new));
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
        };
        cli(port, true, "-n", "5", "EVAL", FILL_SCRIPT, "0", "20");
        RedisContent content = new RedisContent(db);
        Map<String, Long> counted = content.typeCounts(5);
        assertThat(counted).containsEntry("hash", 20L).containsEntry("stream", 20L);
        List<RedisContent.Sampled> sample = content.sample(5, 4);
        assertThat(sample).hasSize(4).allSatisfy(key -> assertThat(RedisContent.Sampled.decode(key.encode())).isEqualTo(key));
        assertThat(content.stable(sample)).isEqualTo(sample);
        assertThat(content.differences(Map.of(5, counted), Map.of(), 0, sample)).isEmpty();

        RedisContent.Sampled changed = sample.get(0);
        RedisContent.Sampled missing = sample.get(1);
        cli(port, true, "-n", "5", "DEL", changed.key());
        cli(port, true, "-n", "5", "SET", changed.key(), "another value");
        cli(port, true, "-n", "5", "DEL", missing.key());
        cli(port, true, "-n", "5", "DEL", "hash:1", "hash:2");
        assertThat(content.stable(sample)).doesNotContain(changed, missing);
        // the sample is random: the changed and the missing key may be hashes too, and hash:1 or hash:2 themselves
        java.util.Set<String> hashesGone = new java.util.HashSet<>(List.of("hash:1", "hash:2"));
        for (RedisContent.Sampled key : List.of(changed, missing)) {
            if (key.value().startsWith("hash ")) {
                hashesGone.add(key.key());
            }
        }
        String differences = String.join("\n", content.differences(Map.of(5, counted), Map.of(), 0, sample));
        assertThat(differences).contains("sampled key 1 of 4 (db5, a ").contains(") reads as string ")
                .containsPattern("sampled key 2 of 4 \\(db5, a \\w+\\) is missing")
                .contains("db5 has " + (20 - hashesGone.size()) + " hash keys where 20 were counted")
                .as("key names may be session ids: never in messages").doesNotContain(changed.key(), missing.key());
        assertThat(content.differences(Map.of(5, counted), Map.of(), hashesGone.size(), List.of()))
                .as("writes while counting may have deleted as many").isEmpty();
        assertThat(content.differences(Map.of(5, counted), Map.of(), hashesGone.size() - 1, List.of()))
                .as("one fewer write while counting does not explain them").anyMatch(line -> line.contains(" hash keys where 20"));
        cli(port, true, "-n", "5", "FLUSHDB");
    }

    /** The scheduled restore test: the newest backup into a scratch redis-server, its key count checked, then removed. */
    @Test
    @Order(35)
    void theRestoreTestLoadsTheNewestBackupInAScratchServer() throws Exception {
        Path work = installation.home().resolve("restore-tests");
        installation.set("mking.restore-test.dir", work.toString());
        CliResult test = installation.cli("restore-test", "--job", job());
        assertThat(test.exitCode()).as(test.all()).isEqualTo(0);
        assertThat(test.out()).contains("passed").contains("keys=6001");
        assertThat(audit("SELECT error_details FROM backup_verifications WHERE verification_type = 'restore_test' ORDER BY id DESC LIMIT 1"))
                .contains("6 key counts per type, 16 sampled values");
        assertThat(work.resolve(job())).as("the scratch server's files are removed").doesNotExist();
        assertThat(audit("SELECT status FROM backup_verifications WHERE verification_type = 'restore_test' ORDER BY id DESC LIMIT 1"))
                .isEqualTo("passed");
    }

    /** rdb-pull: a snapshot over the replication protocol, no access to the data directory needed. */
    @Test
    @Order(61)
    void rdbPullBacksUpOverTheNetworkAndRestoresTheSameData() throws Exception {
        Map<String, String> parameters = new LinkedHashMap<>(jobParameters());
        parameters.put("method", "rdb-pull");
        parameters.put("stores", "local,minio");
        installation.withJob("redis", "redis-pull", parameters);
        CliResult run = installation.cli("run", "redis-pull");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        String pulled = run.backupId("redis-pull");
        Path target = installation.home().resolve("pulled");
        int pulledPort = TestCluster.freePort();
        CliResult restore = installation.cli("restore", pulled, "--target", target.toString(), "--port", Integer.toString(pulledPort));
        started.add(pulledPort);
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(target.resolve("appendonlydir")).doesNotExist();
        assertSameData(port, true, pulledPort, false);
    }

    /**
     * A server on another host (here through an SSH server on loopback): the short commands (redis-cli, stat) go over
     * camel-ssh, the dump streams through OpenSSH, and both pin the host key in the same file.
     */
    @Test
    @Order(63)
    void aServerOnAnotherHostIsAskedOverCamelSshAndDumpedOverOpenSsh() throws Exception {
        Path remoteDir = Files.createTempDirectory("redis-remote");
        int remotePort = TestCluster.freePort();
        startServer(remotePort, remoteDir);
        cli(remotePort, false, "SET", "over", "ssh");
        try (TestSshServer ssh = new TestSshServer()) {
            // the host as an operator's earlier OpenSSH login left it: its Ed25519 key pinned; camel-ssh must accept it
            ssh.pinWithOpenSsh(installation.home().resolve("data/ssh_known_hosts"));
            installation.withJob("redis", "redis-remote", new LinkedHashMap<>(Map.of("port", Integer.toString(remotePort),
                    "ssh", ssh.target(), "sshKey", ssh.key().toString(), "stores", "local,minio")));
            CliResult run = installation.cli("run", "redis-remote");
            assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
            List<TestSshServer.Command> commands = ssh.commands();
            assertThat(commands).filteredOn(c -> c.line().contains("LASTSAVE")).isNotEmpty()
                    .allMatch(c -> c.client().contains("APACHE-SSHD"), "asked through camel-ssh");
            assertThat(commands).filteredOn(c -> c.line().startsWith("'stat'")).hasSize(1)
                    .allMatch(c -> c.client().contains("APACHE-SSHD"), "asked through camel-ssh");
            assertThat(commands).filteredOn(c -> c.line().startsWith("'cat'") && c.line().contains("dump.rdb")).hasSize(1)
                    .allMatch(c -> c.client().contains("OpenSSH"), "streamed through OpenSSH");
            assertThat(Files.readAllLines(installation.home().resolve("data/ssh_known_hosts")))
                    .as("camel-ssh accepted the key OpenSSH pinned, and pinned no other").hasSize(1);
        }
    }

    /** A restore over an existing directory needs --force, and then moves the old files aside. */
    @Test
    @Order(62)
    void anOccupiedTargetIsRefusedWithoutForceAndMovedAsideWithIt() throws Exception {
        Path target = Files.createDirectories(installation.home().resolve("occupied"));
        Files.writeString(target.resolve("dump.rdb"), "older data");
        CliResult refused = installation.cli("restore", backupId, "--target", target.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("is not empty").contains("--force");
        CliResult forced = installation.cli("restore", backupId, "--target", target.toString(), "--force");
        assertThat(forced.exitCode()).as(forced.all()).isEqualTo(0);
        assertThat(forced.out()).contains("occupied.before-restore-");
        try (var siblings = Files.list(target.getParent())) {
            Path aside = siblings.filter(p -> p.getFileName().toString().startsWith("occupied.before-restore-")).findFirst().orElseThrow();
            assertThat(Files.readString(aside.resolve("dump.rdb"))).isEqualTo("older data");
        }
    }

    private void assertSameData(int originalPort, boolean originalAuth, int restoredPort, boolean restoredAuth) throws Exception {
        List<String> original = cli(originalPort, originalAuth, "EVAL", com.mking.backup.support.RedisContent.DUMP_SCRIPT, "0").lines().toList();
        List<String> restored = cli(restoredPort, restoredAuth, "EVAL", com.mking.backup.support.RedisContent.DUMP_SCRIPT, "0").lines().toList();
        assertThat(restored).hasSameSizeAs(original).hasSize(6001);
        for (int i = 0; i < original.size(); i++) {
            String[] a = original.get(i).split("\\|", -1);
            String[] b = restored.get(i).split("\\|", -1);
            String key = a[0];
            assertThat(b[0]).isEqualTo(key);
            assertThat(b[1]).as("type of " + key).isEqualTo(a[1]);
            assertThat(String.join("|", List.of(b).subList(2, b.length - 1))).as("value of " + key)
                    .isEqualTo(String.join("|", List.of(a).subList(2, a.length - 1)));
            long ttlA = Long.parseLong(a[a.length - 1]);
            long ttlB = Long.parseLong(b[b.length - 1]);
            if (ttlA < 0) {
                assertThat(ttlB).as("TTL of " + key).isEqualTo(ttlA);
            } else {
                assertThat(Math.abs(ttlA - ttlB)).as("TTL of " + key + " (ms)").isLessThanOrEqualTo(1000);
            }
        }
        assertThat(original).anyMatch(line -> line.startsWith("binary|string|"));
    }

    private void startServer(int serverPort, Path dir, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(serverPort), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--daemonize", "yes", "--logfile", dir.resolve("redis.log").toString()));
        command.addAll(List.of(options));
        run(null, command.toArray(String[]::new));
        started.add(serverPort);
        for (int i = 0; i < 100; i++) {
            try {
                if (cli(serverPort, options.length > 0, "PING").strip().equals("PONG")) {
                    return;
                }
            } catch (Exception e) {
                // not yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("redis-server on " + serverPort + " did not start");
    }

    private String cli(int serverPort, boolean auth, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(serverPort), "--no-auth-warning"));
        line.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
        if (auth) {
            builder.environment().put("REDISCLI_AUTH", "s3cret-redis-pw");
        }
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (process.waitFor() != 0 || out.startsWith("ERR") || out.startsWith("NOAUTH")) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out);
        }
        return out;
    }
}
