package com.mking.backup.source.sysconfig;

import com.mking.backup.config.ConfigException;
import com.mking.backup.exec.RemoteShell;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.ArtefactWriter;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.RestoreDirectory;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.Source;
import com.mking.backup.source.ToolCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * System configuration (seed §2.3): the configured files and directories of this host as two artefacts.
 * {@code config.tar} holds them with modes, owners, mtimes and symlinks, every secret line (one matching
 * {@code secretPattern}) replaced by its key and a placeholder ({@code DB_PASSWORD=<mking-backup:secret>}), key and
 * certificate files ({@code secretFiles}) left out; {@code secrets.tar} holds those lines, with their numbers, and those
 * files. Both are written by Java code, read on this host: a job with {@code ssh} is refused.
 *
 * <p>A configuration backup always holds secrets, so it is only ever written encrypted: without a current encryption
 * key the job is refused at start-up, and a run fails before it reads anything. A restore puts both back together
 * under the target directory ({@code DIR/etc/nginx/...}); a target of {@code /} is refused, one under {@code /etc}
 * unless forced.
 */
public final class SysconfigSource implements Source {

    private static final Logger LOG = LoggerFactory.getLogger(SysconfigSource.class);
    static final String CONFIG = "config.tar";
    static final String SECRETS = "secrets.tar";
    static final String DEFAULT_PATHS = "/etc/nginx, /etc/postgresql, /etc/redis, /etc/ssl/private, /etc/systemd/system, "
            + "/opt/platform/.env, /opt/platform/docker-compose.yml, /var/spool/cron/crontabs, /etc/logrotate.d";
    static final String DEFAULT_SECRET_PATTERN = "PASSWORD|SECRET|KEY|TOKEN";
    static final String DEFAULT_SECRET_FILES = "*.key,*.pem,*.p12,*.pfx,*.jks,id_rsa*,id_ed25519*";
    private static final String WHAT = "a system configuration backup";
    private static final String TARGET_HELP = "a new directory; the configured paths are rebuilt under it, e.g. DIR/etc/nginx";

    /** Whether new backups are encrypted (a current key id exists); asked when needed, the writer is made after us. */
    private final Supplier<Boolean> encrypting;
    /** Per job: the archive whose config.tar walk secrets.tar is written from. */
    private final Map<String, ConfigArchive> running = new ConcurrentHashMap<>();

    public SysconfigSource(Supplier<Boolean> encrypting) {
        this.encrypting = encrypting;
    }

    @Override
    public String kind() {
        return "sysconfig";
    }

    @Override
    public String method() {
        return "full";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.text("paths", DEFAULT_PATHS, "absolute files and directories to back up, comma-separated; "
                        + "missing ones are reported in the log and the manifest (missing=...), all missing fails the run",
                        "/etc/nginx, /opt/platform/.env"),
                Parameter.text("secretPattern", DEFAULT_SECRET_PATTERN, "regular expression (case-insensitive) of the "
                        + "lines of text files that go into secrets.tar; config.tar keeps the line's key and a placeholder",
                        "PASSWORD|SECRET|KEY|TOKEN|requirepass|masterauth"),
                Parameter.text("secretFiles", DEFAULT_SECRET_FILES, "file name globs, comma-separated, of files stored "
                        + "whole in secrets.tar only (keys, certificates, keystores)", "*.key,*.pem,*.crt"));
    }

    @Override
    public void validate(JobSpec job) {
        if (RemoteShell.isRemote(job)) {
            throw new ConfigException(job.where("ssh"), "the configuration is read by mking-backup itself, on this host",
                    "run mking-backup on the host whose configuration it backs up, and remove ssh from the job");
        }
        List<String> paths = list(job.parameter("paths", DEFAULT_PATHS));
        if (paths.isEmpty()) {
            throw new ConfigException(job.where("paths"), "no path given", "list files and directories, e.g. " + DEFAULT_PATHS);
        }
        for (String path : paths) {
            if (!path.startsWith("/")) {
                throw new ConfigException(job.where("paths"), "'" + path + "' is not an absolute path",
                        "write it from the root, e.g. /etc/nginx");
            }
        }
        try {
            secretPattern(job);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(job.where("secretPattern"), "not a regular expression (" + e.getDescription()
                    + " near index " + e.getIndex() + ")", "correct it, e.g. " + DEFAULT_SECRET_PATTERN);
        }
        try {
            secretFiles(job);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(job.where("secretFiles"), "not a list of file name globs (" + e.getMessage() + ")",
                    "correct it, e.g. " + DEFAULT_SECRET_FILES);
        }
        if (!encrypting.get()) {
            throw new ConfigException("mking.encryption.key-id (required by " + kind() + " job '" + job.name() + "' in "
                    + (job.routeFile() == null ? "routes/*.yaml" : job.routeFile()) + ")", "a " + kind()
                    + " backup holds passwords and private keys, and is written only encrypted, but no encryption key is "
                    + "configured", "create a key with 'mking-backup keygen KEY_ID' and set mking.encryption.key-dir and "
                    + "mking.encryption.key-id (keep a copy of the key off this host), or remove the job");
        }
    }

    @Override
    public String location(JobSpec job) {
        return String.join(", ", list(job.parameter("paths", DEFAULT_PATHS)));
    }

    @Override
    public Description describe(JobSpec job) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("paths", location(job));
        return new Description("mking-backup tar (PAX)", null, details);
    }

    /** Refuses to run unencrypted (a second guard after start-up); finds the paths, reports the missing ones. */
    @Override
    public Map<String, String> prepareBackup(JobSpec job) throws IOException {
        if (!encrypting.get()) {
            throw new IOException("refusing to back up the system configuration unencrypted (it holds passwords and keys): "
                    + "set mking.encryption.key-id (create a key with 'mking-backup keygen')");
        }
        List<Path> present = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String path : list(job.parameter("paths", DEFAULT_PATHS))) {
            if (Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
                present.add(Path.of(path).normalize());
            } else {
                missing.add(path);
            }
        }
        if (present.isEmpty()) {
            throw new IOException("none of the configured paths exists on this host (" + String.join(", ", missing)
                    + "): correct the job's paths parameter");
        }
        if (!missing.isEmpty()) {
            LOG.warn("job {}: not on this host, so not backed up: {}", job.name(), String.join(", ", missing));
        }
        // a path inside another one is archived with it, once
        List<Path> roots = present.stream().filter(path -> present.stream().noneMatch(other -> !other.equals(path)
                && path.startsWith(other))).distinct().toList();
        running.put(job.name(), new ConfigArchive(roots, new SecretLines(secretPattern(job)), secretFiles(job)));
        Map<String, String> details = new LinkedHashMap<>();
        details.put("present", roots.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse(""));
        if (!missing.isEmpty()) {
            details.put("missing", String.join(", ", missing));
        }
        return details;
    }

    @Override
    public List<Output> outputs(JobSpec job) throws IOException {
        ConfigArchive archive = running.get(job.name());
        if (archive == null) {
            throw new IOException("job " + job.name() + ": the configuration was not prepared before its artefacts");
        }
        return List.of(Output.written(CONFIG, out -> {
            try {
                archive.writeConfig(out);
            } catch (IOException | RuntimeException e) {
                running.remove(job.name(), archive); // the secret lines found so far are not kept
                throw e;
            }
        }), Output.written(SECRETS, out -> {
            try {
                archive.writeSecrets(out);
                LOG.info("job {}: {} split out into {}", job.name(), archive.summary(), SECRETS);
            } finally {
                running.remove(job.name(), archive);
            }
        }));
    }

    @Override
    public void afterBackup(JobSpec job) {
        running.remove(job.name());
    }

    /** Both are plain tar archives. */
    @Override
    public Optional<ToolCommand> checkCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact) {
        return Optional.of(new ToolCommand("tar", List.of("-tf", "-")));
    }

    /** A target of / (it cannot be moved aside) is refused; one under /etc (the live configuration) unless forced. */
    @Override
    public void checkRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        RestoreDirectory directory = directory(request);
        Path target = directory.target() == null ? null : directory.target().toAbsolutePath().normalize();
        if (target != null && target.getParent() == null) {
            throw new IllegalArgumentException("--target / is refused even with --force: a restore replaces its target "
                    + "directory whole (moving the old one aside), which / cannot be; restore into a new directory, e.g. "
                    + "/root/restored-config, and copy what you need from there");
        }
        if (target != null && target.startsWith("/etc") && !request.force()) {
            throw new IllegalArgumentException("--target " + target + " is the live system configuration (under /etc): "
                    + "restore into a new directory, e.g. /root/restored-config, and copy what you need, or add --force "
                    + "to replace it (the old directory is moved aside)");
        }
        directory.check();
    }

    @Override
    public void prepareRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        directory(request).prepare();
    }

    /** Never run: both artefacts are restored in-process ({@link #inProcessRestore}). */
    @Override
    public ToolCommand restoreCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact, RestoreRequest request) {
        throw new IllegalStateException(artefact.name() + " of " + WHAT + " is restored in-process, not by a command");
    }

    /** config.tar first (the manifest lists it first), then secrets.tar merged into what it restored. */
    @Override
    public Optional<ArtefactRestore> inProcessRestore(JobSpec job, Manifest manifest, Manifest.Artefact artefact,
                                                      RestoreRequest request) {
        Path scratch = directory(request).scratch();
        return switch (artefact.name()) {
            case CONFIG -> Optional.of((raw, store) -> new ConfigRestore(scratch).restoreConfig(raw));
            case SECRETS -> Optional.of((raw, store) -> new ConfigRestore(scratch).restoreSecrets(raw));
            default -> throw new IllegalArgumentException(WHAT + " has no artefact " + artefact.name());
        };
    }

    @Override
    public Map<String, String> finishRestore(JobSpec job, Manifest manifest, RestoreRequest request, boolean succeeded)
            throws IOException {
        RestoreDirectory directory = directory(request);
        if (!succeeded) {
            directory.discard();
            return Map.of();
        }
        return directory.putInPlace();
    }

    private static RestoreDirectory directory(RestoreRequest request) {
        return RestoreDirectory.of(request, WHAT, TARGET_HELP);
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static Pattern secretPattern(JobSpec job) {
        return Pattern.compile(job.parameter("secretPattern", DEFAULT_SECRET_PATTERN), Pattern.CASE_INSENSITIVE);
    }

    private static List<PathMatcher> secretFiles(JobSpec job) {
        return list(job.parameter("secretFiles", DEFAULT_SECRET_FILES)).stream()
                .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).toList();
    }

    /** sysconfig; refuses to run unless new backups are encrypted (asks the artefact writer, made after the sources). */
    public static final class Factory implements com.mking.backup.source.SourceFactory {
        @Override
        public Source create(Context context) {
            return new SysconfigSource(() -> {
                ArtefactWriter writer = context.lookup() == null ? null : context.lookup().find(ArtefactWriter.class);
                return writer != null && writer.settings().encrypt();
            });
        }
    }
}
