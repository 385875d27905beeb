package com.mking.backup.source.code;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Application code through the source contract: a git checkout made here with a commit, a tag and an uncommitted
 * change, plus what a deployment rebuilds (node_modules, dist, logs). The restored tree equals the original without
 * those (and without .git); the manifest names the commit, branch, tag and the dirty flag.
 */
class CodeSourceTest extends SourceContractTest {

    private Path app;
    private Path parked;
    private String commit;

    @Override
    protected String kind() {
        return "code";
    }

    @Override
    protected void startSource() throws Exception {
        app = installation.home().resolve("deployed").resolve("app");
        Files.createDirectories(app.resolve("src/lib"));
        Files.writeString(app.resolve("package.json"), "{\"name\": \"app\"}\n");
        Files.writeString(app.resolve("src/index.js"), "console.log('hello');\n");
        Files.writeString(app.resolve("src/lib/util.js"), "module.exports = {};\n");
        Files.createSymbolicLink(app.resolve("current.js"), Path.of("src/index.js"));
        git("init", "--quiet", "--initial-branch=main");
        git("add", ".");
        git("commit", "--quiet", "-m", "release");
        git("tag", "v2.3.0");
        commit = git("rev-parse", "HEAD").strip();
        Files.writeString(app.resolve("src/index.js"), "console.log('hot fix');\n"); // uncommitted: dirty
        Files.createDirectories(app.resolve("node_modules/left-pad"));
        Files.writeString(app.resolve("node_modules/left-pad/index.js"), "module.exports = 1;\n");
        Files.createDirectories(app.resolve("src/lib/node_modules/nested"));
        Files.writeString(app.resolve("src/lib/node_modules/nested/x.js"), "x\n");
        Files.createDirectories(app.resolve("dist"));
        Files.writeString(app.resolve("dist/bundle.js"), "bundled\n");
        Files.writeString(app.resolve("server.log"), "a log line\n");
        Files.writeString(app.resolve("src/debug.log"), "another log line\n");
    }

    @Override
    protected void stopSource() {
    }

    @Override
    protected Map<String, String> jobParameters() {
        return Map.of("directory", app.toString());
    }

    @Override
    protected List<String> expectedArtefacts() {
        return List.of("code\\.tar");
    }

    @Override
    protected List<String> restoreArguments(Path target) {
        return List.of("--target", target.toString());
    }

    @Override
    protected void assertRestoredEqualsOriginal(Path target) throws Exception {
        run(null, "diff", "-r", "--no-dereference", "--exclude=node_modules", "--exclude=.git", "--exclude=dist",
                "--exclude=build", "--exclude=*.log", app.toString(), target.toString());
        for (String excluded : List.of(".git", "node_modules", "src/lib/node_modules", "dist", "server.log", "src/debug.log")) {
            assertThat(target.resolve(excluded)).as(excluded + " is left out").doesNotExist();
        }
        assertThat(Files.readString(target.resolve("src/index.js"))).contains("hot fix");
        assertThat(Files.readSymbolicLink(target.resolve("current.js"))).isEqualTo(Path.of("src/index.js"));
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
        return "does not exist or is not a directory";
    }

    /** Which version the tree held: commit, branch, tag, and the uncommitted change. */
    @Test
    @Order(11)
    void theManifestNamesTheVersion() throws Exception {
        Map<String, String> details = manifest().details();
        assertThat(details).containsEntry("commit", commit).containsEntry("branch", "main")
                .containsEntry("tag", "v2.3.0").containsEntry("dirty", "true").containsEntry("describe", "v2.3.0-dirty")
                .containsEntry("exclude", "node_modules,.git,dist,build,*.log");
    }

    /** A tree that is not a git checkout is backed up all the same, said so in the manifest. */
    @Test
    @Order(60)
    void aTreeOutsideGitIsBackedUpAndSaidSo() throws Exception {
        Path plain = Files.createDirectories(installation.home().resolve("plain-tree"));
        Files.writeString(plain.resolve("index.html"), "<h1>hi</h1>\n");
        installation.withJob("code", "plain-code", new LinkedHashMap<>(Map.of("directory", plain.toString(),
                "stores", "local")));
        CliResult run = installation.cli("run", "plain-code");
        assertThat(run.exitCode()).as(run.all()).isZero();
        String id = run.backupId("plain-code");
        String manifestKey = audit("SELECT manifest_key FROM backup_executions WHERE backup_id = '" + id + "'");
        assertThat(com.mking.backup.pipeline.Manifest.read(Files.newInputStream(installation.localStore().resolve(manifestKey)))
                .details()).containsEntry("git", "not a git checkout").doesNotContainKey("commit");
    }

    /** A relative directory stops the start (exit 2), naming the parameter. */
    @Test
    @Order(61)
    void aRelativeDirectoryIsRefused() throws Exception {
        installation.withJob("code", "relative-code", new LinkedHashMap<>(Map.of("directory", "opt/app", "stores", "local")));
        try {
            CliResult list = installation.cli("list");
            assertThat(list.exitCode()).as(list.all()).isEqualTo(2);
            assertThat(list.err()).contains("job 'relative-code' parameter 'directory'").contains("not an absolute path");
        } finally {
            Files.delete(installation.routes().resolve("relative-code.yaml"));
        }
    }

    private String git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                "-C", app.toString()));
        command.addAll(List.of(args));
        return run(null, command.toArray(String[]::new));
    }
}
