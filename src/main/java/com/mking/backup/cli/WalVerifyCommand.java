package com.mking.backup.cli;

import com.mking.backup.app.ArchiveService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "wal-verify", mixinStandardHelpOptions = true,
        description = "Check a continuously archived (pg-physical) job's WAL archive in every store as recovery will use it: for every "
                + "timeline, the chain from the oldest kept base backup that reaches it has no gap, and every file on "
                + "it reads back (decrypted, SHA-256 checked). Exit 1 naming the first problem.")
final class WalVerifyCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Parameters(paramLabel = "JOB", description = "the pg-physical job")
    String job;

    @Option(names = "--from", paramLabel = "STORE", description = "check only this store")
    String fromStore;

    @Option(names = "--names-only", description = "check the chains by file name only, without reading the files (fast)")
    boolean namesOnly;

    @Override
    public Integer call() throws Exception {
        try (BackupRuntime runtime = parent.boot(false)) {
            boolean passed = true;
            for (var report : runtime.bean(ArchiveService.class).verify(job, fromStore, !namesOnly).entrySet()) {
                report.getValue().findings().forEach(finding -> System.out.printf("%-8s %s%n", report.getKey(), finding.text()));
                passed &= report.getValue().passed();
            }
            return passed ? MkingBackup.OK : MkingBackup.FAILED;
        }
    }
}
