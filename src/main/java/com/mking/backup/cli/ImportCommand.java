package com.mking.backup.cli;

import com.mking.backup.app.ExportService;
import com.mking.backup.export.Importer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Make an export restorable here: check it first (as export --verify; nothing is imported from a "
                + "damaged one), copy its files into a store without replacing anything, then add its backups to the "
                + "catalog so that list, restore and recover work as usual. Importing twice adds nothing the second time.")
final class ImportCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Parameters(paramLabel = "DIR", description = "the export (the directory holding it, its vol-NNN volumes, or one volume)")
    Path dir;

    @Option(names = "--into", paramLabel = "STORE", description = "the store to copy into (default: the first local store "
            + "in mking.stores)")
    String into;

    @Override
    public Integer call() throws Exception {
        try (BackupRuntime runtime = parent.boot(BackupRuntime.Profile.CATALOG)) {
            ExportService service = runtime.bean(ExportService.class);
            service.target(into); // an unknown store, or none to import into, before anything is read
            Importer.Result result;
            try {
                result = service.importInto(dir, into, System.out::println);
            } catch (Importer.DamagedExportException damaged) {
                damaged.report().problems().forEach(System.out::println);
                System.err.println("import failed: " + damaged.getMessage());
                return MkingBackup.FAILED;
            }
            result.checked().notes().forEach(note -> System.out.println("note: " + note));
            var catalog = result.catalog();
            catalog.leftOut().forEach(reason -> System.out.println("not added yet: " + reason));
            System.out.printf("imported %s into store '%s': %d backup(s) added to the catalog, %d already known%s%s; "
                            + "%d files copied, %d already there%n", result.checked().directory(), result.store(),
                    catalog.added().size(), catalog.known().size(), catalog.copiesAdded().isEmpty() ? ""
                            : ", " + catalog.copiesAdded().size() + " known backup(s) got a copy in '" + result.store() + "'",
                    result.restorePoints() > 0 ? ", the WAL holds " + result.restorePoints() + " restore point(s)" : "",
                    result.copied(), result.alreadyThere());
            if (!result.heldBack().isEmpty()) {
                System.out.println(result.heldBack().size() + " manifest(s) held back until the volume holding their data is "
                        + "imported (then import this one again)");
            }
            System.out.println("next: mking-backup list; then restore or recover as RECOVERY.txt says");
            return MkingBackup.OK;
        }
    }
}
