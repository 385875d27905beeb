package com.mking.backup.source.git;

import com.mking.backup.config.ConfigException;
import com.mking.backup.exec.ShortCommand;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.RestoreDirectory;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.RestoreTarget;
import com.mking.backup.source.Source;
import com.mking.backup.source.ToolCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Git repositories (seed §2.2.1), several per job. Each is kept as a mirror under the data directory
 * ({@code git clone --mirror}, later {@code git remote update --prune}); a backup then stores, per repository, either a
 * bundle of every ref ({@code method: bundle}: {@code git bundle create - --all}, checked by unbundling into a scratch
 * repository) or the mirror itself ({@code method: mirror}: a tar of it, after {@code git fsck}). One artefact per
 * repository: {@code <name>.bundle} or {@code <name>.git.tar}.
 *
 * <p>Credentials: an SSH key file for {@code ssh://} and {@code user@host:} remotes, a token file for HTTPS (sent as an
 * HTTP Basic header through git's environment, never on a command line). A restore writes each repository as a bare
 * mirror {@code <target>/<name>.git}, its origin pointing at the original URL.
 */
public final class GitSource implements Source, com.mking.backup.source.RestoreTestable {

    private static final Logger LOG = LoggerFactory.getLogger(GitSource.class);
    private static final long FETCH_TIMEOUT_SECONDS = 3600;

    private final Path dataDir;

    /** @param dataDir {@code mking.data-dir}: mirrors live in {@code git-mirrors/<job>/}, bundle checks in {@code tmp/} */
    public GitSource(Path dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public String location(JobSpec job) {
        return job.parameter("repositories", "");
    }

    @Override
    public String kind() {
        return "git";
    }

    @Override
    public String method() {
        return "full";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.text("repositories", null,
                        "repositories to back up, comma-separated: URLs (ssh://, git@host:path, "
                        + "https://) or local paths", "/srv/git/app.git, git@git.internal:platform/web.git"),
                Parameter.choice("method", List.of("bundle", "mirror"), "bundle",
                        "bundle (git bundle of every ref, per repository) or mirror (a tar of the "
                        + "bare mirror, after git fsck)", "mirror"),
                Parameter.file("keyFile", "",
                        "SSH private key for ssh remotes; empty: the user's keys", "/etc/mking/git_ed25519"),
                Parameter.file("tokenFile", "",
                        "file holding an HTTPS access token (a secret file)", "/run/secrets/gitlab_token"),
                Parameter.text("tokenUser", "x-access-token", "user name sent with the token (GitLab: oauth2)", "oauth2"),
                Parameter.file("mirrorDir", "",
                        "where the mirrors are kept; empty: <mking.data-dir>/git-mirrors/<job>",
                        "/var/lib/mking-backup/git-mirrors"));
    }

    @Override
    public void validate(JobSpec job) {
        List<Repository> repositories;
        try {
            repositories = repositories(job);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(job.where("repositories"), e.getMessage(),
                    "name each repository once, comma-separated");
        }
        if (repositories.isEmpty()) {
            throw new ConfigException(job.where("repositories"), "no repository given",
                    "list the repositories, e.g. /srv/git/app.git, git@git.internal:platform/web.git");
        }
        for (Repository repository : repositories) {
            if (repository.url().matches("^https?://[^/@]*:[^/@]*@.*")) {
                throw new ConfigException(job.where("repositories"), "the URL of '" + repository.name() + "' holds a password "
                        + "or token (it would show on command lines and in logs)", "remove it from the URL and put the "
                        + "token in a file named by tokenFile");
            }
        }
        for (String file : List.of("keyFile", "tokenFile")) {
            job.parameter(file).ifPresent(path -> {
                if (!Files.isReadable(Path.of(path))) {
                    throw new ConfigException(job.where(file), path + " is not a readable file",
                            "create it readable by this user only, or leave the parameter empty");
                }
            });
        }
    }

    @Override
    public Description describe(JobSpec job) throws IOException {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("method", job.parameter("method", "bundle"));
        for (Repository repository : repositories(job)) {
            details.put("repository." + repository.name(), repository.displayUrl());
        }
        return new Description(ShortCommand.run(new ToolCommand("git", List.of("--version")), 30).strip(), null, details);
    }

    /**
     * Brings every mirror up to date (a new one is cloned beside its place and renamed in); mirror: git fsck. Each
     * repository's ref count goes into the manifest.
     */
    @Override
    public Map<String, String> prepareBackup(JobSpec job) throws IOException {
        Map<String, String> details = new LinkedHashMap<>();
        Path mirrors = mirrorDir(job);
        Files.createDirectories(mirrors);
        for (Repository repository : repositories(job)) {
            Path mirror = mirrors.resolve(repository.name() + ".git");
            if (!Files.isDirectory(mirror)) {
                Path cloning = mirrors.resolve(repository.name() + ".git.cloning");
                RestoreDirectory.deleteTree(cloning);
                git(job, repository, null, "clone", "--mirror", "--quiet", "--", repository.url(), cloning.toString());
                Files.move(cloning, mirror, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                LOG.info("job {}: mirrored {} into {}", job.name(), repository.displayUrl(), mirror);
            } else {
                git(job, repository, mirror, "remote", "set-url", "origin", repository.url());
                git(job, repository, mirror, "remote", "update", "--prune");
            }
            if (isMirror(job)) {
                git(job, repository, mirror, "fsck", "--no-progress", "--no-dangling");
            }
            // what a restore must show again: as many refs (branches, tags, notes)
            details.put("refs." + repository.name(), Long.toString(
                    git(job, repository, mirror, "for-each-ref", "--format=x").lines().count()));
        }
        return details;
    }

    /** One artefact per repository; an empty one (no refs: nothing to restore, and git refuses to bundle it) is skipped. */
    @Override
    public List<Output> outputs(JobSpec job) throws IOException {
        Path mirrors = mirrorDir(job);
        List<Output> outputs = new ArrayList<>();
        for (Repository repository : repositories(job)) {
            String mirror = repository.name() + ".git";
            if (git(job, repository, mirrors.resolve(mirror), "for-each-ref", "--count=1").isBlank()) {
                LOG.warn("job {}: repository {} has no refs yet; nothing of it is backed up", job.name(),
                        repository.displayUrl());
                continue;
            }
            outputs.add(isMirror(job)
                    ? new Output(mirror + ".tar", new ToolCommand("tar", List.of("-C", mirrors.toString(), "-cf", "-", mirror)))
                    : new Output(repository.name() + ".bundle", new ToolCommand("git",
                            List.of("-C", mirrors.resolve(mirror).toString(), "bundle", "create", "--quiet", "-", "--all"))));
        }
        return outputs;
    }

    /** A bundle is unbundled into a scratch repository (every object checked); a mirror's tar is listed. */
    @Override
    public Optional<ToolCommand> checkCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact) {
        if (artefact.name().endsWith(".bundle")) {
            return Optional.of(new ToolCommand("sh", List.of("-c", "set -e; mkdir -p \"$1\"; d=$(mktemp -d \"$1/bundle-check.XXXXXX\"); "
                    + "trap 'rm -rf \"$d\"' EXIT; git init --quiet --bare \"$d\"; git -C \"$d\" bundle unbundle /dev/stdin > /dev/null",
                    "mking-bundle-check", dataDir.resolve("tmp").toAbsolutePath().toString())));
        }
        return Optional.of(new ToolCommand("tar", List.of("-tf", "-")));
    }

    /**
     * A directory: not a file, empty unless forced. A remote: {name} in its URL when the job has several repositories,
     * and each repository's remote reachable and empty (its refs would be replaced) unless forced.
     */
    @Override
    public void checkRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        if (!(request.target() instanceof RestoreTarget.Remote remote)) {
            directory(request).check();
            return;
        }
        List<Repository> repositories = repositories(job);
        if (repositories.size() > 1 && !remote.url().contains(RestoreTarget.Remote.NAME)) {
            throw new IllegalArgumentException("--push-to " + remote.describe() + " would receive all " + repositories.size()
                    + " repositories of job " + job.name() + ": put " + RestoreTarget.Remote.NAME
                    + " in the URL where each repository's name goes");
        }
        for (Repository repository : repositories) {
            Repository target = new Repository(remote.urlOf(repository.name()), repository.name());
            String refs;
            try {
                refs = git(job, target, null, "ls-remote", "--", target.url());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot reach the remote " + target.displayUrl() + " (" + e.getMessage()
                        + "): create it first, as an empty repository, and check the job's keyFile or tokenFile");
            }
            if (!refs.isBlank() && !request.force()) {
                throw new IllegalArgumentException("the remote " + target.displayUrl() + " already has refs: push into a new, "
                        + "empty repository, or add --force to replace its refs with the backup's");
            }
        }
    }

    @Override
    public void prepareRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        directory(request).prepare();
    }

    @Override
    public ToolCommand restoreCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact, RestoreRequest request) {
        RestoreDirectory directory = directory(request);
        if (artefact.name().endsWith(".git.tar")) {
            return new ToolCommand("tar", List.of("-x", "-C", directory.scratch().toString(), "-f", "-"));
        }
        String name = artefact.name().substring(0, artefact.name().length() - ".bundle".length());
        Path repository = directory.file(name + ".git");
        String origin = manifest.details().getOrDefault("repository." + name, "");
        return new ToolCommand("sh", List.of("-c", "set -e; cat > \"$1.bundle\"; git clone --quiet --mirror \"$1.bundle\" \"$1\"; "
                + "rm -f \"$1.bundle\"; if [ -n \"$2\" ]; then git -C \"$1\" remote set-url origin \"$2\"; fi",
                "mking-restore", repository.toString(), origin));
    }

    /**
     * A directory: the restored repositories replace it. A remote: each restored repository is pushed to its URL
     * ({@code git push --mirror}: every ref, nothing else), then the private copies are removed.
     */
    @Override
    public Map<String, String> finishRestore(JobSpec job, Manifest manifest, RestoreRequest request, boolean succeeded)
            throws IOException {
        RestoreDirectory directory = directory(request);
        if (!succeeded) {
            directory.discard();
            return Map.of();
        }
        List<Path> restored;
        try (var files = Files.list(directory.scratch())) {
            restored = files.filter(p -> p.getFileName().toString().endsWith(".git")).sorted().toList();
        }
        try {
            for (Path repository : restored) {
                requireRecordedRefs(manifest, repository);
            }
        } catch (IOException e) {
            directory.discard();
            throw e;
        }
        if (!(request.target() instanceof RestoreTarget.Remote remote)) {
            for (Path repository : restored) {
                unwire(repository);
            }
            return directory.putInPlace();
        }
        List<String> pushed = new ArrayList<>();
        try {
            for (Path repository : restored) {
                String name = repository.getFileName().toString().replaceFirst("\\.git$", "");
                Repository target = new Repository(remote.urlOf(name), name);
                try {
                    // every ref but those a hosting service keeps to itself (and refuses to take): pull and merge requests
                    List<String> push = new ArrayList<>(List.of("push", "--quiet", "--force", "--prune", "--", target.url(),
                            "refs/*:refs/*"));
                    HIDDEN_REFS.forEach(hidden -> push.add("^" + hidden));
                    git(job, target, repository, push.toArray(String[]::new));
                    requireSameRefs(job, repository, target);
                } catch (IOException e) {
                    throw new IOException("pushing " + name + " to " + target.displayUrl() + " failed"
                            + (pushed.isEmpty() ? "" : " (already pushed: " + String.join(", ", pushed) + ")") + ": "
                            + e.getMessage(), e);
                }
                pushed.add(target.displayUrl());
                LOG.info("restored repository {} pushed to {}", name, target.displayUrl());
            }
        } finally {
            directory.discard();
        }
        if (pushed.isEmpty()) {
            throw new IOException("the backup restored no repository to push");
        }
        return Map.of("pushedTo", String.join(", ", pushed));
    }

    /**
     * A restored copy keeps its origin's URL for reference, but is no longer a mirror of it: a plain push would delete
     * the refs production made since the backup, and a fetch would overwrite the restored ones. Pushes to origin fail;
     * fetches land in refs/remotes/origin/.
     */
    private static void unwire(Path repository) throws IOException {
        String dir = repository.toString();
        ShortCommand.run(new ToolCommand("git", List.of("-C", dir, "config", "remote.origin.mirror", "false")), FETCH_TIMEOUT_SECONDS);
        ShortCommand.run(new ToolCommand("git", List.of("-C", dir, "config", "remote.origin.fetch",
                "+refs/heads/*:refs/remotes/origin/*")), FETCH_TIMEOUT_SECONDS);
        ShortCommand.run(new ToolCommand("git", List.of("-C", dir, "config", "remote.origin.pushurl",
                "restored-from-a-backup-push-disabled")), FETCH_TIMEOUT_SECONDS);
    }

    /** Refs a hosting service keeps to itself: not pushed to a new remote. */
    private static final List<String> HIDDEN_REFS = List.of("refs/pull/*", "refs/merge-requests/*");

    /** A restored repository has as many refs as its mirror had when it was backed up (refs.NAME, where recorded). */
    private static void requireRecordedRefs(Manifest manifest, Path repository) throws IOException {
        String name = repository.getFileName().toString().replaceFirst("\\.git$", "");
        String recorded = manifest.details().get("refs." + name);
        if (recorded != null) {
            long refs = ShortCommand.run(new ToolCommand("git", List.of("-C", repository.toString(), "for-each-ref",
                    "--format=x")), FETCH_TIMEOUT_SECONDS).lines().count();
            if (refs != Long.parseLong(recorded)) {
                throw new IOException("repository " + name + " was restored with " + refs + " refs where its mirror had "
                        + recorded + " when it was backed up");
            }
        }
    }

    /** After a push, the remote lists exactly the refs pushed, each at the same object (as git ls-remote says). */
    private void requireSameRefs(JobSpec job, Path repository, Repository target) throws IOException {
        java.util.Set<String> local = new java.util.TreeSet<>(ShortCommand.run(new ToolCommand("git", List.of("-C",
                repository.toString(), "for-each-ref", "--format=%(objectname) %(refname)")), FETCH_TIMEOUT_SECONDS).lines()
                .filter(line -> HIDDEN_REFS.stream().noneMatch(hidden -> line.contains(" " + hidden.replace("*", "")))).toList());
        java.util.Set<String> remote = new java.util.TreeSet<>(git(job, target, null, "ls-remote", "--refs", "--", target.url())
                .lines().map(line -> line.replace('\t', ' ')).toList());
        if (!remote.equals(local)) {
            java.util.Set<String> missing = new java.util.TreeSet<>(local);
            missing.removeAll(remote);
            throw new IOException("the remote does not list the refs pushed (" + missing.size() + " missing or different, "
                    + "e.g. " + missing.stream().findFirst().orElse("an extra ref") + ")");
        }
    }

    /** Where repositories are restored: the target directory, or before a push a private one under the data directory. */
    private RestoreDirectory directory(RestoreRequest request) {
        if (request.target() instanceof RestoreTarget.Remote remote) {
            // one per backup and remote: the remote's restore-target lock keeps two pushes to it apart
            String remoteId = com.mking.backup.pipeline.Sha256.hex(com.mking.backup.pipeline.Sha256.newDigest()
                    .digest(remote.url().getBytes(java.nio.charset.StandardCharsets.UTF_8))).substring(0, 12);
            Path pushing = dataDir.resolve("tmp").resolve("push-" + request.backupId() + "-" + remoteId).toAbsolutePath();
            return RestoreDirectory.of(new RestoreRequest(request.backupId(), RestoreTarget.Directory.of(pushing), null, true,
                    request.requestedBy()), "a git backup", "");
        }
        return RestoreDirectory.of(request, "a git backup",
                "the directory to put the repositories (<name>.git) into; or push them to a new remote: --push-to URL");
    }

    /** A directory named after the job; what a test that died left there is removed first. */
    @Override
    public RestoreTarget scratch(JobSpec job, Path workDirectory) throws IOException {
        Files.createDirectories(workDirectory);
        RestoreTarget scratch = RestoreTarget.Directory.of(workDirectory.resolve(job.name()));
        cleanUp(job, scratch);
        return scratch;
    }

    /** Every restored repository passes git fsck and has its refs. */
    @Override
    public String check(JobSpec job, RestoreTarget scratch) throws IOException {
        List<String> checked = new ArrayList<>();
        try (var repositories = Files.list(((RestoreTarget.Directory) scratch).path())) {
            for (Path repository : repositories.filter(p -> p.getFileName().toString().endsWith(".git")).sorted().toList()) {
                // every object was hashed when the clone indexed the bundle's pack; fsck proves the refs reach whole
                // histories (its strict object-format checks would fail old repositories that back up fine)
                ShortCommand.run(new ToolCommand("git", List.of("-C", repository.toString(), "fsck", "--no-progress",
                        "--connectivity-only", "--no-dangling")), FETCH_TIMEOUT_SECONDS);
                long refs = ShortCommand.run(new ToolCommand("git", List.of("-C", repository.toString(), "for-each-ref")),
                        FETCH_TIMEOUT_SECONDS).lines().count();
                checked.add(repository.getFileName() + " (" + refs + " refs, connected)");
            }
        }
        if (checked.isEmpty()) {
            throw new IOException("the backup restored no repository");
        }
        return String.join(", ", checked);
    }

    @Override
    public void cleanUp(JobSpec job, RestoreTarget scratch) {
        Path directory = ((RestoreTarget.Directory) scratch).path();
        try {
            RestoreDirectory.deleteTree(directory);
            RestoreDirectory.deleteTree(RestoreDirectory.scratchOf(directory));
        } catch (IOException e) {
            LOG.warn("could not remove the restore test's {}: {}", directory, e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** One repository of the job: its URL or path and the name its mirror, artefact and restored copy take. */
    record Repository(String url, String name) {
        /** The URL without a password or token, for manifests and logs. */
        String displayUrl() {
            return url.replaceFirst("^(https?://)[^@/]+@", "$1");
        }
    }

    static List<Repository> repositories(JobSpec job) {
        List<Repository> repositories = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String url : job.parameter("repositories", "").split("[,\\s]+")) {
            if (url.isBlank()) {
                continue;
            }
            String last = url.replaceAll("[/\\\\]+$", "");
            last = last.substring(Math.max(last.lastIndexOf('/'), last.lastIndexOf(':')) + 1).replaceFirst("\\.git$", "");
            String name = last.replaceAll("[^A-Za-z0-9._-]", "_");
            if (name.isEmpty() || name.startsWith(".")) {
                throw new IllegalArgumentException("cannot name a repository after '" + url + "'");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("two repositories would both be named '" + name + "'");
            }
            repositories.add(new Repository(url, name));
        }
        return repositories;
    }

    private Path mirrorDir(JobSpec job) {
        return job.parameter("mirrorDir").map(Path::of).orElse(dataDir.resolve("git-mirrors").resolve(job.name()))
                .toAbsolutePath();
    }

    private static boolean isMirror(JobSpec job) {
        return job.parameter("method", "bundle").equals("mirror");
    }

    /**
     * Runs git for one repository of the job. git's automatic housekeeping runs in the foreground (a detached repack would
     * change the mirror while it is fsck'd, bundled or tarred); a token is sent to that repository's host only.
     */
    private String git(JobSpec job, Repository repository, Path mirror, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("-c", "gc.autoDetach=false", "-c", "maintenance.autoDetach=false"));
        job.parameter("keyFile").ifPresent(key -> command.addAll(List.of("-c", "core.sshCommand=ssh -i '" + key
                + "' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile='"
                + dataDir.resolve("ssh_known_hosts").toAbsolutePath() + "'")));
        if (mirror != null) {
            command.addAll(List.of("-C", mirror.toString()));
        }
        command.addAll(List.of(args));
        ToolCommand git = new ToolCommand("git", command).withSecret("GIT_TERMINAL_PROMPT", ToolCommand.Secret.plain("0"));
        Optional<String> token = job.parameter("tokenFile");
        java.util.regex.Matcher https = java.util.regex.Pattern.compile("^(https?://[^/]+/)").matcher(repository.url());
        // the token goes only to a host the job's own repositories are on (a push to a new server names another)
        if (token.isPresent() && https.find() && repositories(job).stream().anyMatch(own -> own.url().startsWith(https.group(1)))) {
            git = git.withSecret("GIT_CONFIG_COUNT", ToolCommand.Secret.plain("1"))
                    .withSecret("GIT_CONFIG_KEY_0", ToolCommand.Secret.plain("http." + https.group(1) + ".extraHeader"))
                    .withSecret("GIT_CONFIG_VALUE_0", ToolCommand.Secret.file(Path.of(token.get()))
                            .asBasicAuthorization(job.parameter("tokenUser", "x-access-token")));
        }
        return ShortCommand.run(git, FETCH_TIMEOUT_SECONDS);
    }

    /** git; mirrors under {@code mking.data-dir}. */
    public static final class Factory implements com.mking.backup.source.SourceFactory {
        @Override
        public Source create(Context context) {
            return new GitSource(context.settings().dataDir());
        }
    }
}
