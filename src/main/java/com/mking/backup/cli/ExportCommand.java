package com.mking.backup.cli;

import com.mking.backup.app.ExportService;
import com.mking.backup.export.ByteSize;
import com.mking.backup.export.ExportCatalog;
import com.mking.backup.export.ExportVerifier;
import com.mking.backup.export.Exporter;
import com.mking.backup.source.postgres.recovery.TargetTime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Offline copy (tape, DVD, a removable disk): write chosen backups with their manifests, the WAL their "
                + "point-in-time recovery needs, catalog.json, a plain-text RECOVERY.txt (what is here, how to restore it, the "
                + "key ids needed: never the keys) and export.sha256 (sha256sum -c works) to a directory laid out as a local "
                + "store; or check one with --verify. Stored bytes are copied as they are, each checked against its manifest.")
final class ExportCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Option(names = "--to", paramLabel = "DIR", description = "write the export here (a new or empty directory)")
    Path to;

    @Option(names = "--verify", paramLabel = "DIR", description = "check an export (every volume when DIR holds vol-NNN): "
            + "every file's SHA-256 against the listing, the catalog and the manifests; exit 1 naming each bad or missing "
            + "file. Needs no configuration, database or key")
    Path verify;

    @Option(names = "--job", paramLabel = "JOB", description = "only this job's backups (repeatable)")
    List<String> jobs = new ArrayList<>();

    @Option(names = "--since", paramLabel = "TIME", description = "only backups started at or after this time: a date "
            + "(2026-11-25, from midnight) or a time (2026-11-25T10:00:00Z, '2026-11-25 10:00:00+00'); without a zone, the "
            + "local time zone")
    String since;

    @Option(names = "--backup-id", paramLabel = "ID", arity = "1..*", description = "only these backups (repeatable)")
    List<String> backupIds = new ArrayList<>();

    @Option(names = "--volume-size", paramLabel = "SIZE", description = "split into volumes vol-001, vol-002... of at most "
            + "SIZE (4.7G: decimal, as DVDs are sold; 4GiB: binary; 700M), each a complete store layout of what it holds; "
            + "a file is never split")
    String volumeSize;

    @Override
    public Integer call() throws Exception {
        if ((to == null) == (verify == null)) {
            throw new IllegalArgumentException("give --to DIR (write an export) or --verify DIR (check one)");
        }
        if (verify != null) {
            if (!jobs.isEmpty() || since != null || !backupIds.isEmpty() || volumeSize != null) {
                throw new IllegalArgumentException("--verify checks a whole export: --job, --since, --backup-id and "
                        + "--volume-size go with --to");
            }
            return verify();
        }
        Long volume = volumeSize == null ? null : ByteSize.parse(volumeSize, "--volume-size");
        Instant sinceInstant = since == null ? null : since(since);
        try (BackupRuntime runtime = parent.boot(BackupRuntime.Profile.CATALOG)) {
            ExportService service = runtime.bean(ExportService.class);
            String version = MkingBackup.class.getAnnotation(Command.class).version()[0];
            Exporter.Result result = service.export(new Exporter.Request(to, jobs, sinceInstant, since, backupIds, volume,
                    version), System.out::println);
            ExportCatalog catalog = result.catalog();
            result.warnings().forEach(warning -> System.err.println("WARNING: " + warning));
            System.out.printf("exported %d backup(s) and %d WAL file(s): %d files, %s%s into %s%n", catalog.backups().size(),
                    catalog.wal().stream().mapToInt(ExportCatalog.WalSet::count).sum(), catalog.files(),
                    Progress.human(catalog.bytes()), volume == null ? "" : " in " + catalog.volumes() + " volume(s)",
                    result.directory());
            if (!catalog.keys().isEmpty()) {
                System.out.println("restoring needs the key file(s) " + String.join(", ", catalog.keys().stream()
                        .map(k -> k.keyId() + ".key").toList()) + " (not in the export: keep them apart); see RECOVERY.txt");
            }
            return MkingBackup.OK;
        }
    }

    private Integer verify() throws Exception {
        ExportVerifier.Report report = ExportService.verify(verify);
        report.problems().forEach(problem -> System.out.println(problem));
        report.notes().forEach(note -> System.out.println("note: " + note));
        String where = report.inVolumes() ? report.listings().size() + " volume(s), " : "";
        if (report.passed()) {
            System.out.printf("export %s: OK, %s%d files, %s, every SHA-256 matches its listing, catalog and manifest%n",
                    report.directory(), where, report.files(), Progress.human(report.bytes()));
            return MkingBackup.OK;
        }
        System.err.printf("export %s: %d problem(s) in %s%d files read%n", report.directory(), report.problems().size(), where,
                report.files());
        return MkingBackup.FAILED;
    }

    static Instant since(String text) {
        if (text.matches("\\d{4}-\\d{2}-\\d{2}")) {
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneId.systemDefault()).toInstant();
            } catch (java.time.DateTimeException e) {
                throw sinceError(text);
            }
        }
        try {
            TargetTime parsed = TargetTime.parse(text, ZoneId.systemDefault());
            if (parsed.zoneAssumed()) {
                System.out.printf("--since has no zone: read as %s local time = %s UTC%n", parsed.zone(), parsed.instant());
            }
            return parsed.instant();
        } catch (IllegalArgumentException e) {
            throw sinceError(text);
        }
    }

    private static IllegalArgumentException sinceError(String text) {
        return new IllegalArgumentException("--since '" + text + "' is not a date or time: use 2026-11-25 (from midnight, "
                + "local time), 2026-11-25T10:00:00Z or '2026-11-25 10:00:00+00'");
    }
}
