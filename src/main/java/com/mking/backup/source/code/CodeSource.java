package com.mking.backup.source.code;

import com.mking.backup.config.ConfigException;
import com.mking.backup.exec.RemoteShell;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.RestoreDirectory;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.Source;
import com.mking.backup.source.ToolCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deployed application tree (seed §2.3): one artefact, {@code code.tar}, GNU tar's stdout ({@code tar -C DIR
 * --exclude=... -cf - .}, on the job's host over SSH when it names one), without what a deployment rebuilds
 * ({@code node_modules}, {@code .git}, {@code dist}, {@code build}, logs). The manifest records which version it is: the
 * commit, branch, tag and whether the checkout had uncommitted changes, or that the tree is not a git checkout. A
 * restore unpacks it into a new directory.
 */
public final class CodeSource implements Source {

    private static final Logger LOG = LoggerFactory.getLogger(CodeSource.class);
    static final String ARTEFACT = "code.tar";
    static final String DEFAULT_EXCLUDE = "node_modules,.git,dist,build,*.log";
    private static final long GIT_TIMEOUT_SECONDS = 120;
    private static final String WHAT = "an application code backup";

    private final RemoteShell remoteShell;

    public CodeSource(RemoteShell remoteShell) {
        this.remoteShell = remoteShell;
    }

    @Override
    public String kind() {
        return "code";
    }

    @Override
    public String method() {
        return "full";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.file("directory", null, "the deployed application tree (absolute; on the job's ssh host when "
                        + "it names one)", "/opt/platform/app"),
                Parameter.text("exclude", DEFAULT_EXCLUDE, "names and globs left out, comma-separated (tar --exclude: "
                        + "matched against every file and directory name, at any depth)", "node_modules,.git,dist,build,*.log,tmp"));
    }

    @Override
    public void validate(JobSpec job) {
        String directory = job.parameter("directory").orElseThrow(() -> new ConfigException(job.where("directory"),
                "no directory given", "name the deployed application tree, e.g. /opt/platform/app"));
        if (!directory.startsWith("/")) {
            throw new ConfigException(job.where("directory"), "'" + directory + "' is not an absolute path",
                    "write it from the root, e.g. /opt/platform/app");
        }
        for (String pattern : excludes(job)) {
            if (pattern.startsWith("-")) {
                throw new ConfigException(job.where("exclude"), "'" + pattern + "' would be read as a tar option",
                        "give names or globs, e.g. " + DEFAULT_EXCLUDE);
            }
        }
    }

    @Override
    public String location(JobSpec job) {
        return job.parameter("ssh").map(ssh -> ssh + ":").orElse("") + job.parameter("directory", "");
    }

    @Override
    public Description describe(JobSpec job) throws IOException {
        String version = remoteShell.runShort(job, new ToolCommand("tar", List.of("--version")), GIT_TIMEOUT_SECONDS)
                .lines().findFirst().orElse("tar").strip();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("directory", job.parameter("directory", ""));
        details.put("exclude", String.join(",", excludes(job)));
        return new Description(version, null, details);
    }

    /**
     * The tree must be a directory; which version it holds goes into the manifest. A tree git cannot read (not a
     * checkout, or one git refuses for its owner) is backed up all the same, said so.
     */
    @Override
    public Map<String, String> prepareBackup(JobSpec job) throws IOException {
        String directory = job.parameter("directory", "");
        if (!RemoteShell.isRemote(job) && !Files.isDirectory(Path.of(directory))) {
            throw new IOException("the application directory " + directory + " does not exist or is not a directory: "
                    + "correct the job's directory parameter");
        }
        Map<String, String> details = new LinkedHashMap<>();
        String inside;
        try {
            inside = git(job, "rev-parse", "--is-inside-work-tree").strip();
        } catch (IOException e) {
            String reason = e.getMessage() == null ? "" : e.getMessage();
            details.put("git", reason.contains("not a git repository") ? "not a git checkout"
                    : "unknown: git cannot read the checkout (" + firstLine(reason) + ")");
            LOG.info("job {}: {} is {}", job.name(), directory, details.get("git"));
            return details;
        }
        if (!inside.equals("true")) {
            details.put("git", "not a git checkout");
            return details;
        }
        details.put("commit", git(job, "rev-parse", "HEAD").strip());
        String branch = git(job, "rev-parse", "--abbrev-ref", "HEAD").strip();
        details.put("branch", branch.equals("HEAD") ? "(detached)" : branch);
        try {
            details.put("tag", git(job, "describe", "--tags", "--exact-match", "HEAD").strip());
        } catch (IOException e) {
            details.put("tag", "(none at this commit)");
        }
        details.put("describe", git(job, "describe", "--tags", "--always", "--dirty").strip());
        details.put("dirty", Boolean.toString(!git(job, "status", "--porcelain").isBlank()));
        return details;
    }

    @Override
    public List<Output> outputs(JobSpec job) {
        List<String> args = new ArrayList<>(List.of("-C", job.parameter("directory", "")));
        excludes(job).forEach(pattern -> args.add("--exclude=" + pattern));
        args.addAll(List.of("-cf", "-", "."));
        return List.of(new Output(ARTEFACT, new ToolCommand("tar", args)));
    }

    @Override
    public void checkRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        directory(request).check();
    }

    @Override
    public void prepareRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        directory(request).prepare();
    }

    @Override
    public ToolCommand restoreCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact, RestoreRequest request) {
        return new ToolCommand("tar", List.of("-x", "-C", directory(request).scratch().toString(), "-f", "-"));
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
        return RestoreDirectory.of(request, WHAT, "a new directory to unpack the application tree into");
    }

    static List<String> excludes(JobSpec job) {
        return Arrays.stream(job.parameter("exclude", DEFAULT_EXCLUDE).split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
    }

    /** git on the tree's host; a repository's own fsmonitor hook never runs (the tree may be anyone's). */
    private String git(JobSpec job, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("-c", "core.fsmonitor=false", "-C", job.parameter("directory", "")));
        command.addAll(List.of(args));
        return remoteShell.runShort(job, new ToolCommand("git", command), GIT_TIMEOUT_SECONDS);
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("").strip();
    }

    /** code; runs tar and git on the job's ssh host when it names one. */
    public static final class Factory implements com.mking.backup.source.SourceFactory {
        @Override
        public Source create(Context context) {
            return new CodeSource(context.remoteShell());
        }
    }
}
