package com.mking.backup.source.sysconfig;

import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.Keyring;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.SourceContractTest;
import com.mking.backup.store.LocalStore;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestInstallation;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * System configuration through the source contract: a small tree made here (nginx files, a symlink, a binary file, a
 * .env with secret lines and CRLF and no final newline, a private key, a missing path), backed up encrypted into both
 * stores. config.tar holds no secret (decoded here with the project's reader); a restore gives back the tree byte for
 * byte with its modes and mtimes; a job without an encryption key is refused.
 */
class SysconfigSourceTest extends SourceContractTest {

    private static final List<String> SECRETS = List.of("s3cr3t-db-pw", "tok-123456", "r3d1s-pw", "hunter2",
            "PRIVATE-KEY-MATERIAL", "key-behind-crlf");
    private static final FileTime OLD = FileTime.from(Instant.parse("2021-03-04T05:06:07Z"));

    private Path root;
    private Path parked;

    @Override
    protected String kind() {
        return "sysconfig";
    }

    @Override
    protected void startSource() throws Exception {
        root = installation.home().resolve("sysroot");
        Path nginx = Files.createDirectories(root.resolve("etc/nginx"));
        Files.writeString(nginx.resolve("nginx.conf"), "user www-data;\nhttp {\n    ssl_certificate_key /etc/ssl/private/server.key;\n"
                + "    include conf.d/*.conf;\n}\n");
        Files.createDirectories(nginx.resolve("sites-available"));
        Files.writeString(nginx.resolve("sites-available/default"), "server { listen 80; }\n");
        Files.createDirectories(nginx.resolve("sites-enabled"));
        Files.createSymbolicLink(nginx.resolve("sites-enabled/default"), Path.of("../sites-available/default"));
        Path confD = Files.createDirectories(nginx.resolve("conf.d"));
        Files.writeString(confD.resolve("upstream.conf"), "upstream app { server 127.0.0.1:3000; }\n");
        Files.setPosixFilePermissions(confD, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        // binary: never split, even where it reads like a secret line
        Files.write(nginx.resolve("cache.bin"), "\0\1\2PASSWORD=binary\n\0".getBytes(StandardCharsets.ISO_8859_1));
        Path platform = Files.createDirectories(root.resolve("opt/platform"));
        Files.writeString(platform.resolve(".env"), "APP_NAME=mking\nDB_PASSWORD=s3cr3t-db-pw\r\napi_token: tok-123456\n"
                + "export REDIS_PASSWORD=r3d1s-pw\n# the key-behind-crlf line\r\n  password: hunter2\nLAST=no newline");
        Files.setPosixFilePermissions(platform.resolve(".env"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path ssl = Files.createDirectories(root.resolve("etc/ssl/private"));
        Files.writeString(ssl.resolve("server.key"), "-----BEGIN PRIVATE KEY-----\nPRIVATE-KEY-MATERIAL\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(ssl.resolve("server.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        try (Stream<Path> all = Files.walk(root)) {
            for (Path path : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!Files.isSymbolicLink(path)) {
                    Files.setLastModifiedTime(path, OLD);
                }
            }
        }
    }

    @Override
    protected void stopSource() {
    }

    private List<Path> configured() {
        return List.of(root.resolve("etc/nginx"), root.resolve("opt/platform/.env"), root.resolve("etc/ssl/private"),
                root.resolve("etc/redis"));
    }

    @Override
    protected Map<String, String> jobParameters() {
        return Map.of("paths", String.join(", ", configured().stream().map(Path::toString).toList()));
    }

    @Override
    protected List<String> expectedArtefacts() {
        return List.of("config\\.tar", "secrets\\.tar");
    }

    @Override
    protected List<String> restoreArguments(Path target) {
        return List.of("--target", target.toString());
    }

    /** diff -r of each configured path, then mode and mtime (seconds) of every file and directory in them. */
    @Override
    protected void assertRestoredEqualsOriginal(Path target) throws Exception {
        for (Path original : configured().subList(0, 3)) {
            Path restored = restored(target, original);
            run(null, "diff", "-r", "--no-dereference", original.toString(), restored.toString());
            try (Stream<Path> all = Files.walk(original)) {
                for (Path path : all.toList()) {
                    Path copy = restored(target, path);
                    if (Files.isSymbolicLink(path)) {
                        assertThat(Files.readSymbolicLink(copy)).isEqualTo(Files.readSymbolicLink(path));
                        continue;
                    }
                    assertThat(Files.getAttribute(copy, "unix:mode", LinkOption.NOFOLLOW_LINKS)).as("mode of " + copy)
                            .isEqualTo(Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS));
                    assertThat(Files.getLastModifiedTime(copy, LinkOption.NOFOLLOW_LINKS).toInstant().getEpochSecond())
                            .as("mtime of " + copy).isEqualTo(Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS)
                                    .toInstant().getEpochSecond());
                    assertThat(Files.getAttribute(copy, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as("owner of " + copy)
                            .isEqualTo(Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
                }
            }
        }
        assertThat(restored(target, root.resolve("etc/redis"))).doesNotExist();
    }

    private static Path restored(Path target, Path original) {
        return target.resolve(original.toString().replaceFirst("^/+", ""));
    }

    @Override
    protected void breakSource() throws Exception {
        parked = root.resolveSibling("sysroot-parked");
        Files.move(root, parked);
    }

    @Override
    protected void repairSource() throws Exception {
        Files.move(parked, root);
    }

    @Override
    protected String expectedFailure() {
        return "none of the configured paths exists on this host";
    }

    /** The readable archive has placeholders where the secrets were and no key file; secrets.tar has them. */
    @Test
    @Order(11)
    void configTarHoldsNoSecretAndSecretsTarHoldsThemAll() throws Exception {
        Map<String, String> config = decoded(0);
        String env = config.get(entry(root.resolve("opt/platform/.env")));
        assertThat(env).isEqualTo("APP_NAME=mking\nDB_PASSWORD=<mking-backup:secret>\r\napi_token: <mking-backup:secret>\n"
                + "export REDIS_PASSWORD=<mking-backup:secret>\n<mking-backup:secret>\r\n  password: <mking-backup:secret>\n"
                + "LAST=no newline");
        assertThat(config.get(entry(root.resolve("etc/nginx/nginx.conf")))).contains("    <mking-backup:secret>\n")
                .contains("include conf.d/*.conf;");
        assertThat(config.get(entry(root.resolve("etc/nginx/cache.bin")))).contains("PASSWORD=binary");
        assertThat(config).doesNotContainKey(entry(root.resolve("etc/ssl/private/server.key")))
                .containsKey(entry(root.resolve("etc/ssl/private")) + "/")
                .containsKey(entry(root.resolve("etc/nginx/sites-enabled/default")));
        for (String secret : SECRETS) {
            assertThat(config.values()).as("config.tar").noneMatch(content -> content.contains(secret));
        }
        String secrets = String.join("\n", decoded(1).values());
        assertThat(secrets).contains("2\tDB_PASSWORD=s3cr3t-db-pw\n").contains("PRIVATE-KEY-MATERIAL");
        for (String secret : SECRETS) {
            assertThat(secrets).as("secrets.tar").contains(secret);
        }
        String manifestText = Files.readString(installation.localStore().resolve(manifestKey()));
        for (String secret : SECRETS) {
            assertThat(manifestText).as("the plain manifest").doesNotContain(secret);
        }
    }

    /** The missing path is named in the manifest; the run did not fail for it. */
    @Test
    @Order(13)
    void aMissingPathIsReportedNotFatal() throws Exception {
        assertThat(manifest().details()).containsEntry("missing", root.resolve("etc/redis").toString());
        CliResult run = installation.cli("run", job());
        assertThat(run.exitCode()).as(run.all()).isZero();
        for (String secret : SECRETS) {
            assertThat(run.all()).as("the run's output and log").doesNotContain(secret);
        }
    }

    /** Another key file of the same id: the restore fails on the key, before anything is written. */
    /** A configuration job has no restore test: asking for one says so and which jobs have one, instead of nothing. */
    @Test
    @Order(14)
    void aRestoreTestOfAJobWithoutOneSaysSo() throws Exception {
        CliResult test = installation.cli("restore-test", "--job", job());
        assertThat(test.exitCode()).isEqualTo(2);
        assertThat(test.err()).contains("job '" + job() + "' has no restore test here").contains("jobs that have one: none");
    }

    @Test
    @Order(15)
    void aRestoreWithAnotherKeyFailsOnTheKeyAndRestoresNothing() throws Exception {
        Path wrongKeys = installation.home().resolve("wrong-keys");
        Keyring.generate(wrongKeys, "prod-1");
        Path target = freshTarget("with-wrong-key");
        installation.set("mking.encryption.key-dir", wrongKeys.toString());
        try {
            CliResult restore = installation.cli("restore", backupId, "--target", target.toString());
            assertThat(restore.exitCode()).as(restore.all()).isNotZero();
            assertThat(restore.err()).contains("wrong encryption key");
        } finally {
            installation.set("mking.encryption.key-dir", installation.home().resolve("keys").toString());
        }
        assertNothingRestored(target);
    }

    /** The live configuration is not a restore target unless forced; / never is. */
    @Test
    @Order(16)
    void theLiveConfigurationIsNotARestoreTarget() throws Exception {
        CliResult etc = installation.cli("restore", backupId, "--target", "/etc/mking-restore-test");
        assertThat(etc.exitCode()).as(etc.all()).isEqualTo(2);
        assertThat(etc.err()).contains("live system configuration").contains("--force");
        assertThat(Path.of("/etc/mking-restore-test")).doesNotExist();
        CliResult slash = installation.cli("restore", backupId, "--target", "/", "--force");
        assertThat(slash.exitCode()).as(slash.all()).isEqualTo(2);
        assertThat(slash.err()).contains("--target / is refused");
    }

    /** A secret line goes back only where its placeholder is: anything else fails, naming the file and line only. */
    @Test
    @Order(17)
    void aSecretLineGoesBackOnlyOverItsPlaceholder() throws Exception {
        Path work = Files.createTempDirectory(installation.home(), "merge");
        Path file = Files.createDirectories(work.resolve("src")).resolve("app.env");
        Files.writeString(file, "A=1\nDB_PASSWORD=pw-value\n");
        ConfigArchive archive = new ConfigArchive(List.of(file), new SecretLines(Pattern.compile("PASSWORD",
                Pattern.CASE_INSENSITIVE)), List.of());
        ByteArrayOutputStream config = new ByteArrayOutputStream();
        ByteArrayOutputStream secrets = new ByteArrayOutputStream();
        archive.writeConfig(config);
        archive.writeSecrets(secrets);
        Path scratch = Files.createDirectories(work.resolve("scratch"));
        ConfigRestore restore = new ConfigRestore(scratch);
        restore.restoreConfig(new ByteArrayInputStream(config.toByteArray()));
        Path copy = scratch.resolve(ConfigArchive.entryName(file));
        Files.writeString(copy, "A=1\nDB_PASSWORD=edited\n");
        assertThatThrownBy(() -> restore.restoreSecrets(new ByteArrayInputStream(secrets.toByteArray())))
                .hasMessageContaining("line 2 of " + ConfigArchive.entryName(file) + " is not the placeholder")
                .hasMessageNotContaining("pw-value");
    }

    /** Without an encryption key the job stops the start (exit 2), naming the property and the fix. */
    @Test
    @Order(60)
    void withoutAnEncryptionKeyTheJobIsRefused() throws Exception {
        try (TestInstallation plain = new TestInstallation()) {
            plain.withJob("sysconfig", "config", new LinkedHashMap<>(jobParameters()));
            CliResult list = plain.cli("list");
            assertThat(list.exitCode()).as(list.all()).isEqualTo(2);
            assertThat(list.err()).contains("job 'config'").contains("mking.encryption.key-id").contains("mking-backup keygen");
        }
    }

    private String manifestKey() throws Exception {
        return audit("SELECT manifest_key FROM backup_executions WHERE backup_id = '" + backupId + "'");
    }

    /** The n-th artefact of the backup, decoded with the installation's key: entry name → content (ISO-8859-1). */
    private Map<String, String> decoded(int n) throws Exception {
        Manifest manifest = manifest();
        Manifest.Artefact artefact = manifest.artefacts().get(n);
        ArtefactReader reader = new ArtefactReader(Keyring.load(installation.home().resolve("keys"), "prod-1"));
        Map<String, String> entries = new LinkedHashMap<>();
        try (InputStream raw = reader.openRaw(new LocalStore("local", installation.localStore(), null),
                Manifest.dataKey(manifestKey(), artefact), manifest, artefact);
             TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                entries.put(entry.getName(), new String(tar.readAllBytes(), StandardCharsets.ISO_8859_1));
            }
        }
        return entries;
    }

    private static String entry(Path path) {
        return ConfigArchive.entryName(path);
    }
}
