package com.mking.backup.export;

import com.mking.backup.report.Bytes;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code RECOVERY.txt}: the plain-text sheet an operator reads on a machine that has nothing else: what the export
 * holds, how to check it, which keys it needs (ids and fingerprints, and where the keys normally live; never a key),
 * and per job the exact commands that restore it with this tool.
 */
public final class RecoverySheet {

    public static final String FILE_NAME = "RECOVERY.txt";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private RecoverySheet() {
    }

    /**
     * @param keyDir where the backup host keeps its key files ({@code mking.encryption.key-dir}), or null
     */
    public static String text(ExportCatalog catalog, String keyDir) {
        StringBuilder s = new StringBuilder();
        boolean volumes = catalog.volumeSize() != null;
        title(s, "MKING-BACKUP OFFLINE EXPORT: RECOVERY SHEET", '=');
        s.append("Written ").append(catalog.createdAt()).append(" by ").append(catalog.createdBy()).append(" on host ")
                .append(catalog.host()).append(".\n");
        if (volumes) {
            s.append("This is volume ").append(catalog.volume()).append(" of ").append(catalog.volumes()).append(" (")
                    .append(VolumePlan.directory(catalog.volume())).append("); volumes of at most ")
                    .append(ByteSize.ceil(catalog.volumeSize())).append(" (").append(catalog.volumeSize())
                    .append(" bytes), each a complete store layout of the files it holds.\n");
        }
        ExportCatalog.Selection selection = catalog.selection();
        s.append("Selection: ").append(describe(selection)).append(".\n");
        int walFiles = catalog.wal().stream().mapToInt(ExportCatalog.WalSet::count).sum();
        s.append("Contents: ").append(catalog.backups().size()).append(" backup(s), ").append(walFiles)
                .append(" archived WAL file(s); ").append(catalog.files()).append(" files, ").append(Bytes.human(catalog.bytes()))
                .append(" in all.\n\n");

        title(s, "WHAT IS HERE", '-');
        s.append(String.format("  %-26s %-18s %-12s %-19s %10s %-12s%s%n", "BACKUP ID", "JOB", "KIND", "FINISHED (UTC)",
                "STORED", "KEY ID", volumes ? " VOLUME" : ""));
        for (ExportCatalog.Backup b : catalog.backups()) {
            s.append(String.format("  %-26s %-18s %-12s %-19s %10s %-12s%s%n", b.backupId(), b.job(), b.source(),
                    time(b.finishedAt()), Bytes.human(b.storedSize()),
                    b.encryption() == null ? "(none)" : b.encryption().keyId(), volumes ? " " + b.volume() : ""));
        }
        for (ExportCatalog.WalSet wal : catalog.wal()) {
            s.append("  WAL of job ").append(wal.job()).append(": ").append(wal.count()).append(" files, ").append(wal.first())
                    .append(" .. ").append(wal.last()).append(", timeline(s) ").append(wal.timelines().stream().map(String::valueOf)
                            .collect(Collectors.joining(", ")));
            if (wal.lastTransaction() != null) {
                s.append("; last transaction ").append(time(wal.lastTransaction())).append(" UTC");
            }
            s.append('\n');
            if (volumes) {
                Map<Integer, List<ExportCatalog.FileRef>> byVolume = wal.files().stream()
                        .filter(file -> file.key().endsWith(".json"))
                        .collect(Collectors.groupingBy(ExportCatalog.FileRef::volume, java.util.TreeMap::new, Collectors.toList()));
                byVolume.forEach((volume, files) -> s.append("    volume ").append(volume).append(": ").append(files.size())
                        .append(" WAL files, ").append(walName(files.get(0).key())).append(" .. ")
                        .append(walName(files.get(files.size() - 1).key())).append('\n'));
            }
        }
        for (ExportCatalog.SharedSet shared : catalog.shared()) {
            s.append("  ").append(shared.kind()).append(" of job ").append(shared.job()).append(": ").append(shared.files().size())
                    .append(" shared objects the snapshots above reference\n");
        }
        List<ExportCatalog.Backup> physical = catalog.backups().stream().filter(b -> b.recovery() != null).toList();
        if (!physical.isEmpty()) {
            s.append("\n  Point-in-time recovery from this export alone:\n");
            for (ExportCatalog.Backup b : physical) {
                ExportCatalog.Recovery r = b.recovery();
                s.append("    job ").append(b.job()).append(", base backup ").append(b.backupId()).append(": WAL ")
                        .append(r.walFrom()).append(" .. ").append(r.walThrough() == null ? "(none)" : r.walThrough())
                        .append(" on timeline ").append(r.timeline());
                if (r.gap() != null) {
                    s.append(", GAP: ").append(r.gap()).append(" is missing, so recovery from this base backup stops before it");
                } else {
                    s.append(", no gap");
                }
                s.append("\n      any time from ").append(time(b.finishedAt())).append(" UTC");
                if (r.recoverableUntil() != null) {
                    s.append(" to ").append(time(r.recoverableUntil())).append(" UTC (the last archived transaction)");
                }
                s.append('\n');
            }
        }
        s.append('\n');

        title(s, "CHECK IT FIRST", '-');
        s.append("  sha256sum -c ").append(Sha256Listing.FILE_NAME).append("       # in ")
                .append(volumes ? "each volume's directory" : "this directory").append(": standard tools, nothing else needed\n");
        s.append("  mking-backup export --verify DIR    # the same, and every file against its backup's manifest\n\n");

        title(s, "KEYS (never in this export)", '-');
        if (catalog.keys().isEmpty()) {
            s.append("  The data is not encrypted: no key is needed.\n\n");
        } else {
            s.append("  The data is encrypted (AES-256-GCM, segment by segment). Restoring needs these key files:\n");
            for (ExportCatalog.Key key : catalog.keys()) {
                s.append(String.format("    %-24s fingerprint %s (%s; jobs %s)%n", key.keyId() + ".key", key.fingerprint(),
                        key.algorithm(), String.join(", ", key.jobs())));
            }
            s.append("  A key file holds the key itself; it is kept apart from the backups on purpose. Backup hosts keep them in\n")
                    .append("  the directory mking.encryption.key-dir names");
            if (keyDir != null) {
                s.append(" (on ").append(catalog.host()).append(": ").append(keyDir).append(")");
            }
            s.append(", one file <key id>.key each,\n")
                    .append("  and your key escrow should hold copies (a safe, a password manager). On the restoring machine put them in\n")
                    .append("  a directory readable only by the user running mking-backup (mode 0600) and set mking.encryption.key-dir\n")
                    .append("  to it. A wrong key is named as such (its fingerprint differs), never mistaken for damaged data.\n\n");
        }

        title(s, "RESTORE ON A MACHINE THAT HAS NOTHING ELSE", '-');
        s.append("1. Install mking-backup (Java 17) and give it a properties file (--config FILE) with at least:\n")
                .append("     mking.stores=local\n")
                .append("     mking.store.local.type=local\n")
                .append("     mking.store.local.path=/srv/mking/store\n");
        if (!catalog.keys().isEmpty()) {
            s.append("     mking.encryption.key-dir=/srv/mking/keys        # holding ")
                    .append(catalog.keys().stream().map(k -> k.keyId() + ".key").collect(Collectors.joining(", "))).append('\n');
        }
        s.append("   The audit database: without mking.audit.url an embedded one starts by itself under data/audit-db.\n")
                .append("   No route file is needed to restore (an empty routes/ directory is enough: mkdir routes): what a\n")
                .append("   restore needs is in the backups' manifests.\n");
        s.append("2. Import (every file is checked again, copied into the local store, and the backups added to the catalog):\n");
        if (volumes) {
            s.append("     mking-backup import DIR              # DIR holding vol-001 .. vol-")
                    .append(String.format("%03d", catalog.volumes())).append(", or one volume at a time, in order\n");
        } else {
            s.append("     mking-backup import DIR\n");
        }
        s.append("     mking-backup list\n");
        s.append("3. Restore, per job (the newest backup is shown; 'mking-backup list --job JOB' lists the others):\n");
        Map<String, List<ExportCatalog.Backup>> byJob = new LinkedHashMap<>();
        catalog.backups().stream().sorted(Comparator.comparing(ExportCatalog.Backup::job)
                        .thenComparing(ExportCatalog.Backup::startedAt, Comparator.reverseOrder()))
                .forEach(b -> byJob.computeIfAbsent(b.job(), job -> new java.util.ArrayList<>()).add(b));
        byJob.forEach((job, backups) -> {
            ExportCatalog.Backup newest = backups.get(0);
            s.append("   ").append(job).append(" (").append(newest.source()).append("):\n");
            for (String line : commands(newest)) {
                s.append("     ").append(line).append('\n');
            }
        });
        s.append("   Every restore checks every checksum and decrypts before anything is put in place; a non-empty target\n")
                .append("   needs --force and is then moved aside, never deleted. 'mking-backup restore --help' and\n")
                .append("   'mking-backup recover --help' list every option (another server, ports, roles).\n\n");

        title(s, "WITHOUT IMPORTING", '-');
        s.append("  ").append(volumes ? "Each volume" : "This directory").append(" is laid out as a 'local' store (")
                .append("<job>/<yyyy>/<mm>/<dd>/<backup id>/ with manifest.json, <job>/wal/):\n")
                .append("  name it as a store, rebuild the catalog from it, and restore from it:\n")
                .append("     mking.stores=offline                 # or add offline to the list\n")
                .append("     mking.store.offline.type=local\n")
                .append("     mking.store.offline.path=").append(volumes ? "DIR/vol-001" : "DIR").append('\n')
                .append("     mking-backup catalog-rebuild\n")
                .append("     mking-backup restore BACKUP_ID ... --from offline     (recover JOB ... --from offline)\n")
                .append("  Keep the medium write-protected; no job should name that store.\n");
        return s.toString();
    }

    /** The commands that restore this backup's kind, with its id. */
    static List<String> commands(ExportCatalog.Backup b) {
        String id = b.backupId();
        return switch (b.source()) {
            case "pg-physical" -> List.of(
                    "mking-backup recover " + b.job() + " --data-dir /var/lib/postgresql/15/recovered --port 5433",
                    "    to a time: add --time '" + (b.recovery() != null && b.recovery().recoverableUntil() != null
                            ? TIME.format(b.recovery().recoverableUntil()) : TIME.format(b.finishedAt())) + "+00' (as SELECT now() prints it);"
                            + " to a named point: --restore-point NAME;",
                    "    without either: to the end of the archived WAL; --backup-id " + id + " starts from this base backup");
            case "pg-logical" -> List.of("mking-backup restore " + id + " --database NAME  [--host H --port P --user ROLE "
                    + "--password-file FILE]   (another server: a DR host)");
            case "redis" -> List.of("mking-backup restore " + id + " --target /var/lib/redis/restored  [--port 6380: start a "
                    + "redis-server on it]");
            case "git" -> List.of("mking-backup restore " + id + " --target /srv/git/restored   (or --push-to URL: new remotes, "
                    + "{name} in the URL)");
            case "files" -> List.of("mking-backup restore " + id + " --target DIR  [--include GLOB]...   (the whole snapshot, "
                    + "or some paths)");
            case "sysconfig" -> List.of("mking-backup restore " + id + " --target DIR   (secrets put back into their files)");
            case "code" -> List.of("mking-backup restore " + id + " --target DIR");
            default -> List.of("mking-backup restore " + id + " ...   (see mking-backup restore --help)");
        };
    }

    private static String describe(ExportCatalog.Selection selection) {
        if (selection == null || (empty(selection.jobs()) && selection.since() == null && empty(selection.backupIds()))) {
            return "every successful backup in the catalog with a copy that did not fail verification";
        }
        StringBuilder s = new StringBuilder("successful backups");
        if (!empty(selection.jobs())) {
            s.append(" of job(s) ").append(String.join(", ", selection.jobs()));
        }
        if (selection.since() != null) {
            s.append(" since ").append(selection.since());
        }
        if (!empty(selection.backupIds())) {
            s.append(" with id(s) ").append(String.join(", ", selection.backupIds()));
        }
        return s.toString();
    }

    private static boolean empty(List<String> list) {
        return list == null || list.isEmpty();
    }

    private static String walName(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        return name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
    }

    private static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    private static void title(StringBuilder s, String title, char underline) {
        s.append(title).append('\n').append(String.valueOf(underline).repeat(title.length())).append('\n');
    }
}
