package com.mking.backup.cli;

import com.mking.backup.app.RestoreService;
import com.mking.backup.job.JobSpec;
import com.mking.backup.restore.RestoreTask;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.RestoreTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore a backup: a logical PostgreSQL backup "
        + "into a database (--database), on the job's server or another one (a DR host: --host/--port/--user); a Redis or "
        + "git backup into a directory (--target; Redis: --port starts a new redis-server on it) or git's to a new remote "
        + "(--push-to). The stored copy is "
        + "checked (decrypted, SHA-256) as it is read; nothing is put in place before every check passed; a non-empty "
        + "target is replaced only with --force, and kept aside.")
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Parameters(paramLabel = "BACKUP_ID", description = "backup id from 'mking-backup list'")
    String backupId;

    @Option(names = "--database", paramLabel = "NAME",
            description = "pg-logical: target database (created if missing; a non-empty one is refused unless --force)")
    String database;

    @Option(names = "--target", paramLabel = "DIR",
            description = "redis, git, files, sysconfig, code: target directory (created if missing; a non-empty one is "
                    + "refused unless --force)")
    String targetDirectory;

    @Option(names = "--push-to", paramLabel = "URL", description = "git: push every restored repository to a new, empty "
            + "remote instead ({name} in the URL becomes each repository's name, e.g. git@new-host:platform/{name}.git); "
            + "a remote with refs is refused unless --force, which replaces them")
    String pushTo;

    @Option(names = "--host", paramLabel = "HOST", description = "pg-logical: restore onto this server instead of the job's")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "pg-logical: port of that server (default: the job's); "
            + "redis: start a new redis-server (loopback) on the restored files on this port")
    Integer port;

    @Option(names = "--user", paramLabel = "ROLE", description = "role that restores (default: the job's); it must be "
            + "allowed to create databases")
    String user;

    @Option(names = "--password-env", paramLabel = "VAR", description = "environment variable holding that role's password")
    String passwordEnv;

    @Option(names = "--password-file", paramLabel = "FILE", description = "file holding that role's password (a secret file)")
    String passwordFile;

    @Option(names = "--from", paramLabel = "STORE", description = "store to read from (default: the first configured store holding a copy)")
    String fromStore;

    @Option(names = "--force", description = "replace a non-empty target; the old database is renamed aside, not dropped")
    boolean force;

    @Option(names = "--no-owner", description = "do not restore ownership and privileges (target server lacks the roles)")
    boolean noOwner;

    @Option(names = "--jobs", paramLabel = "N", description = "parallel pg_restore workers for custom-format dumps: the "
            + "copy is first decoded into a private file under the data directory; 1 streams it without a file "
            + "(default: 1 on two cores or fewer, else the number of cores, at most 4)")
    Integer jobs;

    @Option(names = "--include", paramLabel = "GLOB", description = "files: restore only the paths matching this glob "
            + "(relative to the backed-up directory; a directory takes what is in it), e.g. 'photos/2024' or '**/*.pdf'; repeatable")
    private java.util.List<String> includes = new java.util.ArrayList<>();

    @Option(names = "--delete", description = "files, with --force: what the target holds outside the snapshot is moved "
            + "aside too (never deleted), so the target ends up as the snapshot")
    private boolean delete;

    @Option(names = "--requested-by", paramLabel = "WHO", description = "recorded in restore_tasks (default: the OS user)")
    String requestedBy = System.getProperty("user.name");

    @Override
    public Integer call() throws Exception {
        if (port != null && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("--port " + port + " is not a port number");
        }
        if (jobs != null && (jobs < 1 || jobs > 64)) {
            throw new IllegalArgumentException("--jobs " + jobs + " is out of range: use 1 (stream, no file) to 64");
        }
        if ((database != null ? 1 : 0) + (targetDirectory != null ? 1 : 0) + (pushTo != null ? 1 : 0) > 1) {
            throw new IllegalArgumentException("give one of --database (PostgreSQL), --target (a directory) or --push-to "
                    + "(a git remote)");
        }
        // an option the chosen target does not take would be ignored without a word
        if ((!includes.isEmpty() || delete) && targetDirectory == null) {
            throw new IllegalArgumentException("--include and --delete apply to a files snapshot restored with --target DIR");
        }
        if ((jobs != null || noOwner || host != null || user != null || passwordEnv != null || passwordFile != null)
                && database == null) {
            throw new IllegalArgumentException("--jobs, --no-owner, --host, --user and --password-* apply to a PostgreSQL "
                    + "restore with --database NAME");
        }
        RestoreTarget target;
        if (pushTo != null) {
            target = new RestoreTarget.Remote(pushTo);
        } else if (targetDirectory != null && (!includes.isEmpty() || delete)) {
            target = new RestoreTarget.FileTree(java.nio.file.Path.of(targetDirectory), includes, delete);
        } else if (targetDirectory != null) {
            target = new RestoreTarget.Directory(java.nio.file.Path.of(targetDirectory), port);
        } else if (database != null) {
            boolean otherServer = host != null || port != null || user != null || passwordEnv != null || passwordFile != null;
            target = new RestoreTarget.Database(database, otherServer
                    ? new RestoreTarget.Server(host, port, user, passwordEnv, passwordFile) : null, noOwner, jobs);
        } else {
            target = null; // the backup's source names the option it needs
        }
        try (BackupRuntime runtime = parent.boot(false)) {
            RestoreRequest request = new RestoreRequest(backupId, target, fromStore, force, requestedBy);
            RestoreService restores = runtime.bean(RestoreService.class);
            // operator mistakes end here, with one message and no alert: nothing was attempted
            JobSpec job = restores.check(request);
            RestoreTask task = restores.task(request);
            RestoreService.Outcome outcome;
            try (Progress ignored = new Progress("restoring " + backupId, task.progress(), System.out)) {
                outcome = restores.restore(task);
            }
            if (outcome.succeeded()) {
                String into = pushTo != null ? "remote " + task.reachedValue("pushedTo").orElse(pushTo)
                        : database != null ? "database " + database + " on " + job.parameter("host", "127.0.0.1") + ":"
                        + job.parameter("port", "5432") + task.reachedValue("movedAside")
                        .map(aside -> " (what was there is now database " + aside + ")").orElse("") : "directory " + task.reachedValue("directory").orElse(targetDirectory)
                        + task.reachedValue("server").map(server -> ", redis-server listening on " + server).orElse("")
                        + task.reachedValue(com.mking.backup.source.Source.REACHED_COMPARED).map(compared -> " (matches the backup's " + compared + ")").orElse("")
                        + task.reachedValue("movedAside").map(aside -> " (what was there is now " + aside + ")").orElse("");
                System.out.printf("restored backup %s into %s in %d s (%s, decrypted and checksum verified)%n",
                        backupId, into, task.getDurationSeconds(), Progress.human(task.getRestoredBytes()));
                task.reachedValue("note").ifPresent(note -> System.out.println("NOTE: " + note));
                return MkingBackup.OK;
            }
            // an operator mistake found once the backup was read reads as any other (error: ..., exit 2)
            System.err.println(task.isOperatorMistake() ? "error: " + outcome.error()
                    : "restore of " + backupId + " failed: " + outcome.error());
            if (task.fault() == com.mking.backup.restore.RestoreFault.COPY && task.getStoreName() != null) {
                // at 3 a.m. the next step is the other copy
                List<String> others = runtime.bean(com.mking.backup.audit.Catalog.class).find(backupId)
                        .map(entry -> entry.storeNames().stream().filter(store -> !store.equals(task.getStoreName())).toList())
                        .orElse(List.of());
                if (!others.isEmpty()) {
                    System.err.println("the backup has other copies: try --from " + String.join(" or --from ", others)
                            + " (the run read store '" + task.getStoreName() + "')");
                }
            }
            return task.isOperatorMistake() ? MkingBackup.CONFIG : MkingBackup.FAILED;
        }
    }
}
