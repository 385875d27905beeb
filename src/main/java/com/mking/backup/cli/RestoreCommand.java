package com.mking.backup.cli;

import com.mking.backup.restore.RestoreTask;
import com.mking.backup.restore.Restorer;
import com.mking.backup.route.RestoreRoutes;
import com.mking.backup.source.RestoreRequest;
import org.apache.camel.Exchange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.Instant;
import java.util.concurrent.Callable;

@Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore a backup. The stored copy's SHA-256 is checked before anything is written.")
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Parameters(paramLabel = "BACKUP_ID", description = "backup id from 'mking-backup list'")
    String backupId;

    @Option(names = "--database", paramLabel = "NAME", required = true,
            description = "target database (created if missing; a non-empty one is refused unless --force)")
    String database;

    @Option(names = "--from", paramLabel = "STORE", description = "store to read from (default: the first configured store holding a copy)")
    String fromStore;

    @Option(names = "--force", description = "replace a non-empty target; the old database is renamed aside, not dropped")
    boolean force;

    @Option(names = "--no-owner", description = "do not restore ownership and privileges (target server lacks the roles)")
    boolean noOwner;

    @Option(names = "--requested-by", paramLabel = "WHO", description = "recorded in restore_tasks (default: the OS user)")
    String requestedBy = System.getProperty("user.name");

    @Override
    public Integer call() {
        try (BackupRuntime runtime = parent.boot(false)) {
            RestoreRequest request = new RestoreRequest(backupId, database, fromStore, force, noOwner, requestedBy, java.util.Map.of());
            RestoreTask task = new RestoreTask(request, Instant.now());
            Exchange exchange;
            try (Progress ignored = new Progress("restoring " + backupId, task.progress(), System.out)) {
                exchange = runtime.producer().send(RestoreRoutes.RESTORE, e -> e.setProperty(Restorer.TASK, task));
            }
            if (task.succeeded()) {
                System.out.printf("restored backup %s into database %s in %d s (%s, checksum verified)%n", backupId, database,
                        task.getDurationSeconds(), Progress.human(task.getRestoredBytes()));
                return MkingBackup.OK;
            }
            String error = task.error() != null ? task.error()
                    : com.mking.backup.job.BackupRunner.describe(exchange.getException());
            System.err.println("restore of " + backupId + " failed: " + error);
            return MkingBackup.FAILED;
        }
    }
}
