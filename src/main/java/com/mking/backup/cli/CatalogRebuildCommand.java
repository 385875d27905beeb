package com.mking.backup.cli;

import com.mking.backup.audit.CatalogRebuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "catalog-rebuild", mixinStandardHelpOptions = true, description = "Rebuild the backup catalog from the manifests in the stores "
        + "(after losing the audit database); backups already in the catalog are left as they are.")
final class CatalogRebuildCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Override
    public Integer call() throws Exception {
        try (BackupRuntime runtime = parent.boot(false)) {
            CatalogRebuilder.Result result = runtime.bean(CatalogRebuilder.class).rebuild();
            System.out.printf("%d backups found in the stores, %d added to the catalog with %d copies%n", result.found(),
                    result.added(), result.copiesAdded());
            return MkingBackup.OK;
        }
    }
}
