package com.mking.backup.cli;

import com.mking.backup.job.BackupRunner;
import com.mking.backup.source.postgres.wal.WalArchive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "wal-fetch", mixinStandardHelpOptions = true, description = "Write an archived WAL file to DEST, decrypted and checked against both "
        + "SHA-256s: a restore_command for recoveries done by hand ('bin/mking-backup wal-fetch JOB %%f %%p'). "
        + "Exit 1 when the file is not archived (PostgreSQL ends recovery there); exit 126 when it is archived but "
        + "cannot be read back (PostgreSQL then stops instead of ending recovery early).")
final class WalFetchCommand implements Callable<Integer> {

    /** What PostgreSQL's restore_command treats as fatal: recovery aborts rather than ends early. */
    static final int UNREADABLE = 126;

    @ParentCommand
    MkingBackup parent;

    @Parameters(index = "0", paramLabel = "JOB", description = "the pg-physical job")
    String job;

    @Parameters(index = "1", paramLabel = "FILE", description = "WAL file name (%%f)")
    String file;

    @Parameters(index = "2", paramLabel = "DEST", description = "where to write it (%%p)")
    Path destination;

    @Option(names = "--from", paramLabel = "STORE", description = "store to read from")
    String fromStore;

    @Override
    public Integer call() {
        try (BackupRuntime runtime = parent.boot(false)) {
            WalArchive archive = runtime.bean(WalArchive.class);
            try {
                if (!archive.isArchived(job, file, fromStore)) {
                    System.err.println(file + " is not in the archive of job " + job);
                    return MkingBackup.FAILED;
                }
                // written under a temporary name and renamed once every check passed
                archive.fetch(job, file, fromStore, destination);
                return MkingBackup.OK;
            } catch (Exception e) {
                System.err.println("WAL file " + file + " of job " + job + " cannot be read back: " + BackupRunner.describe(e));
                return UNREADABLE;
            }
        }
    }
}
