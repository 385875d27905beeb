package com.mking.backup.source.git;

import com.mking.backup.source.SourceContractTest;
import com.mking.backup.support.CliResult;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Git through the source contract: a repository made here with branches, annotated and lightweight tags, notes and a
 * merge, and the project's own clone (a real history). Restored mirrors must show the same {@code git for-each-ref} and
 * pass {@code git fsck}; the mirror method stores what changed between two runs.
 */
class GitSourceTest extends SourceContractTest {

    private Path app;
    private Path parked;
    private final Path project = Path.of("").toAbsolutePath();

    @Override
    protected String kind() {
        return "git";
    }

    @Override
    protected void startSource() throws Exception {
        app = installation.home().resolve("repos").resolve("app");
        Files.createDirectories(app);
        git(app, "init", "--quiet", "--initial-branch=main");
        commit("README", "first");
        git(app, "tag", "v1.0");
        git(app, "checkout", "--quiet", "-b", "feature");
        commit("feature.txt", "a feature");
        git(app, "checkout", "--quiet", "main");
        commit("main.txt", "on main");
        git(app, "merge", "--quiet", "--no-edit", "feature");
        git(app, "tag", "-a", "v1.1", "-m", "release 1.1");
        git(app, "notes", "add", "-m", "reviewed", "HEAD");
        git(app, "branch", "old-work", "v1.0");
    }

    @Override
    protected void stopSource() {
    }

    @Override
    protected Map<String, String> jobParameters() {
        return Map.of("repositories", app + ", " + project);
    }

    @Override
    protected List<String> expectedArtefacts() {
        return List.of("app\\.bundle", Pattern.quote(project.getFileName().toString()) + "\\.bundle");
    }

    @Override
    protected List<String> restoreArguments(Path target) {
        return List.of("--target", target.toString());
    }

    @Override
    protected void assertRestoredEqualsOriginal(Path target) throws Exception {
        assertSameRefs(app, target.resolve("app.git"));
        assertSameRefs(project, target.resolve(project.getFileName() + ".git"));
        assertThat(git(target.resolve("app.git"), "config", "remote.origin.url").strip()).isEqualTo(app.toString());
        // no longer a mirror of production: a stray push must not delete what was made since the backup
        assertThat(git(target.resolve("app.git"), "config", "remote.origin.mirror").strip()).isEqualTo("false");
        assertThatThrownBy(() -> git(target.resolve("app.git"), "push", "--quiet", "origin", "main"))
                .hasMessageContaining("restored-from-a-backup-push-disabled");
    }

    @Override
    protected void breakSource() throws Exception {
        parked = app.resolveSibling("app-parked");
        Files.move(app, parked);
    }

    @Override
    protected void repairSource() throws Exception {
        Files.move(parked, app);
    }

    @Override
    protected String expectedFailure() {
        return "does not appear to be a git repository";
    }

    /**
     * The second repository's mirror gets an object whose content is corrupt (its pack unpacked into loose objects, the
     * largest changed): git fetch passes (it only checks objects exist), git bundle create fails reading it.
     */
    @Override
    protected boolean breakSecondArtefact() throws Exception {
        Path mirror;
        try (var found = Files.walk(installation.home())) {
            mirror = found.filter(p -> p.getFileName().toString().equals(project.getFileName() + ".git")
                    && p.getParent().getFileName().toString().equals(job())).findFirst().orElseThrow();
        }
        git(mirror, "repack", "-a", "-d", "-q");
        Path packs = Files.createTempDirectory(installation.home(), "packs");
        try (var files = Files.list(mirror.resolve("objects/pack"))) {
            for (Path file : files.toList()) {
                Files.move(file, packs.resolve(file.getFileName()));
            }
        }
        try (var files = Files.list(packs)) {
            Path pack = files.filter(p -> p.toString().endsWith(".pack")).findFirst().orElseThrow();
            run(mirror, "sh", "-c", "git unpack-objects -q < \"$0\"", pack.toString());
        }
        try (var objects = Files.walk(mirror.resolve("objects"))) {
            corruptedObject = objects.filter(p -> p.getParent().getFileName().toString().matches("[0-9a-f]{2}"))
                    .max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        corruptedOriginal = Files.readAllBytes(corruptedObject);
        byte[] broken = corruptedOriginal.clone();
        for (int i = broken.length / 2; i < broken.length / 2 + 16; i++) {
            broken[i] ^= 0x5a;
        }
        corruptedObject.toFile().setWritable(true);
        Files.write(corruptedObject, broken);
        return true;
    }

    private Path corruptedObject;
    private byte[] corruptedOriginal;

    @Override
    protected void repairSecondArtefact() throws Exception {
        Files.write(corruptedObject, corruptedOriginal);
    }

    @Override
    protected String expectedSecondArtefactFailure() {
        return "is corrupt";
    }

    /** The mirror method: git fsck, a tar of the mirror; a commit between two runs is in the second backup only. */
    @Test
    @Order(60)
    void theMirrorMethodStoresWhatChangedBetweenTwoRuns() throws Exception {
        Map<String, String> parameters = new LinkedHashMap<>(Map.of("repositories", app.toString(), "method", "mirror",
                "stores", "local,minio"));
        installation.withJob("git", "git-mirror", parameters);
        CliResult first = installation.cli("run", "git-mirror");
        assertThat(first.exitCode()).as(first.all()).isEqualTo(0);
        String before = git(app, "for-each-ref", "--format=%(objectname) %(refname)");
        commit("later.txt", "a later change");
        CliResult second = installation.cli("run", "git-mirror");
        assertThat(second.exitCode()).as(second.all()).isEqualTo(0);

        Path firstTarget = installation.home().resolve("mirror-1");
        Path secondTarget = installation.home().resolve("mirror-2");
        assertThat(installation.cli("restore", first.backupId("git-mirror"), "--target", firstTarget.toString()).exitCode()).isEqualTo(0);
        assertThat(installation.cli("restore", second.backupId("git-mirror"), "--target", secondTarget.toString()).exitCode()).isEqualTo(0);
        assertThat(git(firstTarget.resolve("app.git"), "for-each-ref", "--format=%(objectname) %(refname)")).isEqualTo(before);
        assertSameRefs(app, secondTarget.resolve("app.git"));
        assertThat(git(secondTarget.resolve("app.git"), "log", "--format=%s", "-1", "main").strip()).isEqualTo("a later change");
    }

    /** The job's audit row says where its data is, in the source's own words. */
    @Test
    @Order(12)
    void theJobsAuditRowNamesItsRepositories() throws Exception {
        assertThat(audit("SELECT source_path FROM backup_configurations WHERE name = '" + job() + "' AND is_active"))
                .isEqualTo(app + ", " + project);
    }

    /** The scheduled restore test: the newest bundles restored into a scratch directory, every repository fsck'd. */
    @Test
    @Order(35)
    void theRestoreTestRestoresEveryRepositoryAndFscksIt() throws Exception {
        Path work = installation.home().resolve("restore-tests");
        installation.set("mking.restore-test.dir", work.toString());
        CliResult test = installation.cli("restore-test", "--job", job());
        assertThat(test.exitCode()).as(test.all()).isEqualTo(0);
        assertThat(test.out()).contains("passed").contains("app.git (").contains("connected");
        assertThat(work.resolve(job())).as("the scratch directory is removed").doesNotExist();
    }

    /** A route file can start a restore: headers in, the task out (a DR plan or a drill needs no Java). */
    @Test
    @Order(36)
    void aRouteFileRestoresByHeaders() throws Exception {
        Path target = installation.home().resolve("drill");
        Files.writeString(installation.routes().resolve("drill.yaml"), """
                - route:
                    id: drill-git
                    from:
                      uri: direct:drill-git
                      steps:
                        - setHeader:
                            name: mkingBackupId
                            simple: "${body}"
                        - setHeader:
                            name: mkingRestoreTarget
                            constant: "%s"
                        - to: direct:restore-request
                """.formatted(target));
        try (com.mking.backup.cli.BackupRuntime runtime = installation.runtime(false)) {
            var task = runtime.producer().requestBody("direct:drill-git", backupId, com.mking.backup.restore.RestoreTask.class);
            assertThat(task.succeeded()).as(String.valueOf(task.error())).isTrue();
        } finally {
            Files.delete(installation.routes().resolve("drill.yaml"));
        }
        assertRestoredEqualsOriginal(target);
        assertThat(audit("SELECT requested_by || '/' || status FROM restore_tasks ORDER BY id DESC LIMIT 1"))
                .isEqualTo("route drill-git/success");
    }

    /**
     * A restore to a new server: every repository pushed to its own new, empty remote ({name} in the URL); all refs
     * and objects equal. A URL without {name} for several repositories, or a remote that has refs, is refused first.
     */
    @Test
    @Order(37)
    void everyRepositoryIsPushedToANewEmptyRemote() throws Exception {
        Path remotes = installation.home().resolve("new-server");
        String projectName = project.getFileName().toString();
        for (String name : List.of("app", projectName)) {
            Files.createDirectories(remotes.resolve(name + ".git"));
            git(remotes.resolve(name + ".git"), "init", "--quiet", "--bare");
        }
        String url = "file://" + remotes + "/{name}.git";
        // a mirror of a hosting service has refs it keeps to itself (pull requests): backed up, never pushed
        git(app, "update-ref", "refs/pull/7/head", "HEAD");
        CliResult run = installation.cli("run", job());
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        String backupId = run.backupId(job());
        git(app, "update-ref", "-d", "refs/pull/7/head");

        CliResult oneUrl = installation.cli("restore", backupId, "--push-to", "file://" + remotes + "/app.git");
        assertThat(oneUrl.exitCode()).as(oneUrl.all()).isEqualTo(2);
        assertThat(oneUrl.err()).contains("would receive all 2 repositories").contains("{name}");

        CliResult pushed = installation.cli("restore", backupId, "--push-to", url);
        assertThat(pushed.exitCode()).as(pushed.all()).isEqualTo(0);
        assertThat(pushed.out()).contains("remote file://" + remotes + "/app.git, file://" + remotes + "/" + projectName + ".git");
        assertSameRefs(app, remotes.resolve("app.git"));
        assertThat(git(remotes.resolve("app.git"), "for-each-ref", "refs/pull")).isEmpty();
        assertSameRefs(project, remotes.resolve(projectName + ".git"));
        try (var files = Files.walk(installation.home())) {
            assertThat(files.filter(path -> path.getFileName().toString().startsWith("push-" + backupId)))
                    .as("the private copies are removed").isEmpty();
        }

        CliResult again = installation.cli("restore", backupId, "--push-to", url);
        assertThat(again.exitCode()).as(again.all()).isEqualTo(2);
        assertThat(again.err()).contains("already has refs").contains("--force");
    }

    private void assertSameRefs(Path original, Path restored) throws Exception {
        assertThat(git(restored, "for-each-ref", "--format=%(objectname) %(objecttype) %(refname)"))
                .as("refs of " + restored).isEqualTo(git(original, "for-each-ref", "--format=%(objectname) %(objecttype) %(refname)"));
        git(restored, "fsck", "--no-progress", "--no-dangling");
    }

    private void commit(String file, String message) throws Exception {
        Files.writeString(app.resolve(file), message + "\n");
        git(app, "add", file);
        git(app, "commit", "--quiet", "-m", message);
    }

    private static String git(Path repository, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                "-c", "safe.directory=*", "-C", repository.toString()));
        command.addAll(List.of(args));
        return run(null, command.toArray(String[]::new));
    }
}
