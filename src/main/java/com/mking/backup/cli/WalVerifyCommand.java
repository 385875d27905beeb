package com.mking.backup.cli;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.restore.RecoveryPlanner;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.wal.WalChain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "wal-verify", description = "Check that the archived WAL from every kept base backup of a pg-physical "
        + "job to the newest segment has no gap, in every store of the job (exit 1 on a gap, naming the segment).")
final class WalVerifyCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Parameters(paramLabel = "JOB", description = "the pg-physical job")
    String job;

    @Option(names = "--from", paramLabel = "STORE", description = "check only this store")
    String fromStore;

    @Override
    public Integer call() throws Exception {
        try (BackupRuntime runtime = parent.boot(false)) {
            List<CatalogEntry> kept = runtime.bean(Catalog.class).restorable(job);
            if (kept.isEmpty()) {
                System.err.println("job " + job + " has no base backup to verify WAL from");
                return MkingBackup.FAILED;
            }
            StoreRegistry stores = runtime.bean(StoreRegistry.class);
            RecoveryPlanner planner = runtime.bean(RecoveryPlanner.class);
            boolean complete = true;
            for (String name : fromStore != null ? List.of(fromStore) : runtime.jobs().job(job).stores()) {
                Store store = stores.get(name);
                // the oldest kept base backup needs the longest chain; the newer ones need a suffix of it
                CatalogEntry oldest = kept.get(kept.size() - 1);
                CatalogEntry.Copy copy = oldest.copies().stream().filter(c -> c.store().equals(name)).findFirst().orElse(null);
                if (copy == null) {
                    System.out.printf("%-8s base backup %s has no copy here%n", name, oldest.backupId());
                    continue;
                }
                WalChain.Result chain = planner.verifyChain(job, store, Manifest.read(store.get(copy.manifestKey())));
                if (chain.complete()) {
                    System.out.printf("%-8s OK: %d segments %s .. %s, from base backup %s (%d kept)%n", name, chain.segments(),
                            chain.start(), chain.newest(), oldest.backupId(), kept.size());
                } else {
                    complete = false;
                    System.out.printf("%-8s GAP: segment %s is missing (chain from %s reached %s)%n", name,
                            chain.missing().get(), chain.start(), chain.newest());
                }
            }
            return complete ? MkingBackup.OK : MkingBackup.FAILED;
        }
    }
}
