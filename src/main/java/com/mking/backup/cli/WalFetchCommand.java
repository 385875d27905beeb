package com.mking.backup.cli;

import com.mking.backup.wal.WalArchive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.FileNotFoundException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

@Command(name = "wal-fetch", description = "Write an archived WAL file to DEST, checked against its SHA-256: a "
        + "restore_command for recoveries done by hand ('bin/mking-backup wal-fetch JOB %f %p'). Exit 1 when not archived.")
final class WalFetchCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Parameters(index = "0", paramLabel = "JOB", description = "the pg-physical job")
    String job;

    @Parameters(index = "1", paramLabel = "FILE", description = "WAL file name (%f)")
    String file;

    @Parameters(index = "2", paramLabel = "DEST", description = "where to write it (%p)")
    Path destination;

    @Option(names = "--from", paramLabel = "STORE", description = "store to read from")
    String fromStore;

    @Override
    public Integer call() throws Exception {
        try (BackupRuntime runtime = parent.boot(false)) {
            WalArchive archive = runtime.bean(WalArchive.class);
            if (!archive.isArchived(job, file, fromStore)) {
                System.err.println(file + " is not in the archive of job " + job);
                return MkingBackup.FAILED;
            }
            // written under a temporary name and renamed: PostgreSQL never sees a partial file
            Path partial = destination.resolveSibling(destination.getFileName() + ".mking-partial");
            try (OutputStream out = Files.newOutputStream(partial)) {
                archive.fetch(job, file, fromStore, out);
            } catch (FileNotFoundException e) {
                Files.deleteIfExists(partial);
                return MkingBackup.FAILED;
            } catch (Exception e) {
                Files.deleteIfExists(partial);
                throw e;
            }
            Files.move(partial, destination, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return MkingBackup.OK;
        }
    }
}
