package com.mking.backup.source.files;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.config.ConfigException;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.ArtefactWriter;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.RestoreDirectory;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.RestoreTestable;
import com.mking.backup.source.RestoreTarget;
import com.mking.backup.source.SharedData;
import com.mking.backup.source.Source;
import com.mking.backup.source.SourceFactory;
import com.mking.backup.source.ToolCommand;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A directory tree as incremental snapshots (user uploads, seed §2.3.1; logs, seed §2.2), the restic way with this
 * project's pipeline and stores: each backup is a complete index of the tree ({@code files.idx}) and the table of packs
 * it references ({@code packs.idx}); content lives in packs shared by snapshots under {@code <job>/packs/}. Only new and
 * changed files are read (unchanged: same size, mtime, ctime and inode as in the previous snapshot). Deletions are
 * the absence from the new index; older snapshots still hold them. Retention deletes snapshots, then a sweep removes
 * the packs no remaining snapshot references ({@link SharedData}). A restore needs only its snapshot and the packs it
 * lists, into a directory: the whole tree or paths matching globs ({@code --include}), modes, times and symlinks as they
 * were; a non-empty target only with {@code --force} (what is replaced is moved aside), {@code --delete} to move aside
 * what the snapshot does not hold.
 */
public final class FilesSource implements Source, SharedData, RestoreTestable {

    /** Manifest details: the backed-up directory's own mode (octal) and owner (uid:gid). */
    static final String ROOT_MODE = "rootMode";
    static final String ROOT_OWNER = "rootOwner";
    /** The directory's mtime in nanoseconds since the epoch, as the index keeps its entries'. */
    static final String ROOT_MTIME = "rootMtime";

    private static final Logger LOG = LoggerFactory.getLogger(FilesSource.class);
    /** Jobs whose missing directory was already named: once per process, not once per validation. */
    private static final Set<String> WARNED_MISSING = ConcurrentHashMap.newKeySet();
    static final String DEFAULT_EXCLUDES = "*.tmp, *.log, *.cache, .DS_Store, Thumbs.db, *.swp, *.swo, *~";
    private static final DateTimeFormatter ASIDE_STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private final SourceFactory.Lookup lookup;
    /** The snapshot being written, per job, between its two artefacts. */
    private final Map<String, SnapshotBackup> running = new ConcurrentHashMap<>();
    /** The restore being made, per backup and target, between its two artefacts and its end. */
    private final Map<String, SnapshotRestore> restoring = new ConcurrentHashMap<>();
    /**
     * What the restore into a restore test's directory wrote (files, symlinks, bytes), for the test's count; only those
     * directories are recorded (an operator's restores would otherwise pile up here in a long-running daemon).
     */
    private final Map<Path, long[]> restored = new ConcurrentHashMap<>();
    private final Set<Path> restoreTestDirectories = ConcurrentHashMap.newKeySet();

    public FilesSource(SourceFactory.Lookup lookup) {
        this.lookup = lookup;
    }

    @Override
    public String kind() {
        return "files";
    }

    @Override
    public String method() {
        return "incremental";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                Parameter.file("directory", null, "the directory tree to back up (its content; the directory itself is the "
                        + "restore target)", "/var/www/platform/uploads"),
                Parameter.text("exclude", DEFAULT_EXCLUDES, "comma-separated globs never backed up: on a name (*.tmp) or, "
                        + "with a '/', on the path below the directory (cache/**); none: nothing excluded",
                        "*.tmp, *.cache, thumbnails/**"),
                Parameter.count("packSizeMiB", "16", "content is packed into stored objects of about this many MiB (files "
                        + "above 8 MiB are split into 8 MiB parts)", "32"),
                Parameter.text("restoreTestInclude", "", "comma-separated globs the scheduled restore test restores "
                        + "(empty: the whole snapshot, which needs that much room under mking.restore-test.dir)", "avatars/**"),
                Parameter.count("verifySampleFiles", "20", "files decoded and compared with their SHA-256 at each "
                        + "verification (a different sample every day; verify --read-all: every file)", "100"));
    }

    @Override
    public void validate(JobSpec job) {
        Path directory = directory(job);
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new ConfigException(job.where("directory"), directory + " is not a directory",
                    "name the directory to back up, e.g. /var/www/platform/uploads");
        }
        // a directory that is gone is what this job's backups are for: every other job, and its restore, must still run
        if (!Files.exists(directory) && WARNED_MISSING.add(job.name())) {
            LOG.warn("job {}: {} does not exist (deleted, moved or not mounted?); its runs fail until it is back, its "
                    + "snapshots restore as before (mking-backup list --job {})", job.name(), directory, job.name());
        }
        for (String glob : excludes(job)) {
            try {
                java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(job.where("exclude"), "'" + glob + "' is not a glob (" + e.getMessage() + ")",
                        "use globs such as *.tmp or cache/**, comma-separated");
            }
        }
        if (Integer.parseInt(job.parameter("packSizeMiB", "16")) < 1) {
            throw new ConfigException(job.where("packSizeMiB"), "a pack must hold at least 1 MiB", "use 16 (the default)");
        }
    }

    @Override
    public String location(JobSpec job) {
        return directory(job).toString();
    }

    @Override
    public Description describe(JobSpec job) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("directory", directory(job).toString());
        details.put("exclude", String.join(", ", excludes(job)));
        // the directory itself is no entry of the index: its mode, owner (an uploads directory the web server writes
        // to) and mtime come back with a restore into a new directory
        try {
            Map<String, Object> root = Files.readAttributes(directory(job), "unix:mode,uid,gid,lastModifiedTime");
            details.put(ROOT_MODE, Integer.toOctalString((Integer) root.get("mode") & 07777));
            details.put(ROOT_OWNER, root.get("uid") + ":" + root.get("gid"));
            details.put(ROOT_MTIME, Long.toString(((java.nio.file.attribute.FileTime) root.get("lastModifiedTime"))
                    .to(java.util.concurrent.TimeUnit.NANOSECONDS)));
        } catch (IOException | UnsupportedOperationException e) {
            // not there or not readable: the backup itself says so
        }
        return new Description("mking-backup files snapshot 1", null, details);
    }

    /** Finds the previous snapshot (its pack table read now, its index streamed during the walk) and the packs in every store. */
    @Override
    public Map<String, String> prepareBackup(JobSpec job) throws IOException {
        if (!Files.isDirectory(directory(job))) {
            throw new IOException(directory(job) + " does not exist (deleted, moved or not mounted?): nothing was backed up; "
                    + "its last snapshots restore with mking-backup restore ID --target DIR (mking-backup list --job "
                    + job.name() + ")");
        }
        if (!Files.isReadable(directory(job))) {
            throw new IOException(directory(job) + " cannot be read by this user");
        }
        List<Store> stores = stores(job);
        PreviousSnapshot previous = previous(job, stores);
        PackWriter packs = new PackWriter(job.name(), lookup.find(ArtefactWriter.class), lookup.find(ArtefactReader.class), stores,
                (long) Integer.parseInt(job.parameter("packSizeMiB", "16")) << 20);
        running.put(job.name(), new SnapshotBackup(job.name(), new TreeScanner(directory(job), excludes(job)), previous, packs));
        return Map.of();
    }

    @Override
    public List<Output> outputs(JobSpec job) {
        return List.of(
                Output.written(SnapshotIndex.FILES, out -> snapshot(job).writeIndex(out)),
                Output.written(SnapshotIndex.PACKS, out -> snapshot(job).writePacks(out)));
    }

    /** After the index: what the snapshot holds and what this run read and stored. */
    @Override
    public Map<String, String> resultDetails(JobSpec job, String toolStderr) {
        SnapshotBackup snapshot = running.get(job.name());
        return snapshot == null ? Map.of() : snapshot.details();
    }

    @Override
    public void afterBackup(JobSpec job) {
        running.remove(job.name());
    }

    private SnapshotBackup snapshot(JobSpec job) throws IOException {
        SnapshotBackup snapshot = running.get(job.name());
        if (snapshot == null) {
            throw new IOException("the snapshot of job " + job.name() + " was not prepared");
        }
        return snapshot;
    }

    private PreviousSnapshot previous(JobSpec job, List<Store> stores) throws IOException {
        Set<String> inEveryStore = null;
        Set<String> damaged = new HashSet<>();
        for (Store store : stores) {
            Set<String> ids = new HashSet<>();
            for (String key : store.list(PackRecord.prefix(job.name()))) {
                (key.endsWith(PackRecord.DAMAGED) ? damaged : ids).add(PackRecord.idOf(key));
            }
            if (inEveryStore == null) {
                inEveryStore = ids;
            } else {
                inEveryStore.retainAll(ids);
            }
        }
        // a pack that failed verification in any store is not built on: what it holds is read and stored again
        if (inEveryStore != null) {
            inEveryStore.removeAll(damaged);
        }
        ArtefactReader reader = lookup.find(ArtefactReader.class);
        // packs are shared: a snapshot with a damaged copy may reference a damaged pack, so the next one does not build on it
        List<CatalogEntry> intact = lookup.find(Catalog.class).restorable(job.name()).stream()
                .filter(entry -> !entry.hasFailedCopy()).toList();
        for (CatalogEntry entry : intact) {
            for (Store store : stores) {
                Optional<CatalogEntry.Copy> copy = entry.copies().stream().filter(c -> c.store().equals(store.name())).findFirst();
                if (copy.isEmpty()) {
                    continue;
                }
                try {
                    String manifestKey = copy.get().manifestKey();
                    Manifest manifest = Manifest.read(store.get(manifestKey));
                    Manifest.Artefact table = manifest.artefact(SnapshotIndex.PACKS);
                    Map<String, PackRecord> packs;
                    try (InputStream raw = reader.openRaw(store, Manifest.dataKey(manifestKey, table), manifest, table)) {
                        packs = SnapshotRestore.packTable(raw);
                    }
                    Manifest.Artefact index = manifest.artefact(SnapshotIndex.FILES);
                    PreviousSnapshot previous = new PreviousSnapshot(entry.backupId(), packs, inEveryStore,
                            () -> reader.openRaw(store, Manifest.dataKey(manifestKey, index), manifest, index));
                    LOG.info("job {}: files unchanged since snapshot {} are not read again", job.name(), entry.backupId());
                    return previous;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("job {}: snapshot {} cannot be read from store '{}' ({}); trying another", job.name(),
                            entry.backupId(), store.name(), e.getMessage());
                }
            }
            LOG.warn("job {}: the newest snapshot {} could not be read; every file is read and stored again", job.name(),
                    entry.backupId());
            break;
        }
        return PreviousSnapshot.NONE;
    }

    // --- restore ---------------------------------------------------------------------------------

    @Override
    public void checkRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        Path target = target(request);
        RestoreDirectory.requireDirectoryPath(target);
        if (delete(request) && !request.force()) {
            throw new IllegalArgumentException("--delete moves aside what the target holds outside the snapshot: it needs "
                    + "--force too");
        }
        if (!request.force() && !isEmpty(target)) {
            throw new IllegalArgumentException("--target " + target + " is not empty: choose an empty or new directory, or add "
                    + "--force to restore into it (files the snapshot replaces are moved aside, not deleted; others are left "
                    + "alone unless --delete)");
        }
    }

    @Override
    public void prepareRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
        checkRestoreTarget(job, request);
        Path scratch = scratch(target(request));
        Files.createDirectories(scratch.getParent());
        RestoreDirectory.deleteTree(scratch);
        Files.createDirectory(scratch, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        restoring.put(restoreKey(request), new SnapshotRestore(job.name(), scratch, includes(request),
                lookup.find(ArtefactReader.class)));
    }

    @Override
    public ToolCommand restoreCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact, RestoreRequest request) {
        throw new UnsupportedOperationException("a files snapshot is restored in-process");
    }

    @Override
    public Optional<ArtefactRestore> inProcessRestore(JobSpec job, Manifest manifest, Manifest.Artefact artefact,
                                                      RestoreRequest request) {
        SnapshotRestore restore = restoring.get(restoreKey(request));
        return Optional.of(switch (artefact.name()) {
            case SnapshotIndex.FILES -> (raw, store) -> restore.plan(raw);
            case SnapshotIndex.PACKS -> restore::extract;
            default -> throw new IllegalArgumentException("a files snapshot has no artefact '" + artefact.name() + "'");
        });
    }

    @Override
    public Map<String, String> finishRestore(JobSpec job, Manifest manifest, RestoreRequest request, boolean succeeded)
            throws IOException {
        SnapshotRestore restore = restoring.remove(restoreKey(request));
        Path target = target(request);
        Path scratch = scratch(target);
        if (restore == null) {
            return Map.of(); // not prepared, or its merge failed and its error named what it left where
        }
        if (!succeeded) {
            RestoreDirectory.deleteTree(scratch);
            return Map.of();
        }
        Map<String, String> reached = new LinkedHashMap<>();
        reached.put("directory", target.toString());
        reached.put(REACHED_COMPARED, restore.fileCount() + " files' SHA-256");
        reached.put(REACHED_FILES, Integer.toString(restore.fileCount()));
        reached.put(REACHED_BYTES, Long.toString(restore.restoredBytes()));
        if (restoreTestDirectories.contains(target)) {
            restored.put(target, new long[] {restore.fileCount(), restore.symlinkCount(), restore.restoredBytes()});
        }
        if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.move(scratch, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            restoreRootAttributes(target, manifest.details());
            return reached;
        }
        // an existing directory (empty, or --force) keeps its own mode, owner and mount: the restored tree moves into it
        Path aside = target.resolveSibling(target.getFileName() + ".before-restore-" + LocalDateTime.now().format(ASIDE_STAMP));
        TreeMerge merge = new TreeMerge(aside, delete(request), restore.includes(), scratch.getFileName().toString(),
                excludes(job));
        try {
            merge.merge(scratch, target);
        } catch (IOException | RuntimeException e) {
            throw new IOException("the restored tree was put in place in " + target + " only in part (" + e.getMessage()
                    + "): the rest of it is in " + scratch + (merge.movedAside() > 0 ? ", and what it replaced so far is in "
                    + aside : "") + "; move them by hand, or restore again with --force", e);
        }
        RestoreDirectory.deleteTree(scratch);
        String rootMtime = manifest.details() == null ? null : manifest.details().get(ROOT_MTIME);
        if (rootMtime != null && restore.includes().isEmpty()) { // the whole tree is back: so is its directory's time
            Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(Long.parseLong(rootMtime),
                    java.util.concurrent.TimeUnit.NANOSECONDS));
        }
        if (merge.movedAside() > 0) {
            reached.put("movedAside", aside.toString());
        }
        return reached;
    }

    /**
     * A new target takes the backed-up directory's mode, its mtime, and its owner when restoring as root (snapshots
     * from before these were recorded: rwxr-xr-x and the time of the restore).
     */
    private static void restoreRootAttributes(Path target, Map<String, String> details) throws IOException {
        String mode = details == null ? null : details.get(ROOT_MODE);
        Files.setAttribute(target, "unix:mode", mode == null ? 0755 : Integer.parseInt(mode, 8));
        String owner = details == null ? null : details.get(ROOT_OWNER);
        if (owner != null && SnapshotRestore.asRoot()) {
            String[] ids = owner.split(":");
            Files.setAttribute(target, "unix:uid", Integer.parseInt(ids[0]), java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(target, "unix:gid", Integer.parseInt(ids[1]), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        String mtime = details == null ? null : details.get(ROOT_MTIME);
        if (mtime != null) {
            Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(Long.parseLong(mtime),
                    java.util.concurrent.TimeUnit.NANOSECONDS));
        }
    }

    /** Inside an existing target (one file system with it, even a mount point), beside a new one. */
    private static Path scratch(Path target) {
        return Files.isDirectory(target, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? RestoreDirectory.scratchInside(target)
                : RestoreDirectory.scratchOf(target);
    }

    private static Path target(RestoreRequest request) {
        if (request.target() instanceof RestoreTarget.FileTree tree) {
            return tree.path();
        }
        return request.target(RestoreTarget.Directory.class, "restore of a files snapshot goes into a directory: --target DIR "
                + "(optionally --include GLOB for some paths)").path();
    }

    private static List<String> includes(RestoreRequest request) {
        return request.target() instanceof RestoreTarget.FileTree tree ? tree.includes() : List.of();
    }

    private static boolean delete(RestoreRequest request) {
        return request.target() instanceof RestoreTarget.FileTree tree && tree.delete();
    }

    private static String restoreKey(RestoreRequest request) {
        return request.backupId() + " " + target(request);
    }

    private static boolean isEmpty(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return true;
        }
        try (var entries = Files.list(directory)) {
            // the scratch of an interrupted restore into it does not count: the next restore replaces it
            return entries.allMatch(entry -> entry.equals(RestoreDirectory.scratchInside(directory)));
        }
    }

    // --- restore test ------------------------------------------------------------------------------

    @Override
    public RestoreTarget scratch(JobSpec job, Path workDirectory) throws IOException {
        Files.createDirectories(workDirectory);
        List<String> includes = Arrays.stream(job.parameter("restoreTestInclude", "").split(",")).map(String::strip)
                .filter(glob -> !glob.isEmpty()).toList();
        RestoreTarget scratch = new RestoreTarget.FileTree(workDirectory.resolve(job.name()), includes, false);
        cleanUp(job, scratch);
        restoreTestDirectories.add(((RestoreTarget.FileTree) scratch).path());
        return scratch;
    }

    /**
     * The restore compared every file with its SHA-256 on the way; here the tree in place is counted by a walk of its
     * own (files, symlinks, bytes), so that nothing written was lost putting it in place.
     */
    @Override
    public String check(JobSpec job, RestoreTarget scratch) throws IOException {
        Path directory = ((RestoreTarget.FileTree) scratch).path();
        long[] expected = restored.remove(directory);
        if (expected == null) {
            throw new IOException("no restore into " + directory + " was recorded");
        }
        long[] found = new long[3];
        try (var walk = Files.walk(directory)) {
            walk.forEach(path -> {
                if (Files.isSymbolicLink(path)) {
                    found[1]++;
                } else if (Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    found[0]++;
                    found[2] += path.toFile().length();
                }
            });
        }
        if (!Arrays.equals(expected, found)) {
            throw new IOException("the restored tree holds " + found[0] + " files, " + found[1] + " symlinks and " + found[2]
                    + " bytes; the snapshot restored " + expected[0] + ", " + expected[1] + " and " + expected[2]);
        }
        return found[0] + " files, " + found[1] + " symlinks, " + found[2] + " bytes in place";
    }

    @Override
    public void cleanUp(JobSpec job, RestoreTarget scratch) {
        Path directory = ((RestoreTarget.FileTree) scratch).path();
        restoreTestDirectories.remove(directory);
        restored.remove(directory);
        try {
            RestoreDirectory.deleteTree(directory);
            RestoreDirectory.deleteTree(RestoreDirectory.scratchOf(directory));
        } catch (IOException e) {
            LOG.warn("could not remove the restore test's {}: {}", directory, e.getMessage());
        }
    }

    // --- shared packs: retention and verification ----------------------------------------------

    @Override
    public Sweep sweep(JobSpec job, Store store, Set<String> going, boolean dryRun) throws IOException {
        return new PackSweep(lookup.find(ArtefactReader.class)).sweep(job.name(), store, going, dryRun);
    }

    @Override
    public String verifyShared(JobSpec job, Store store, String manifestKey, Manifest manifest, boolean readAll)
            throws IOException {
        return new SnapshotCheck(lookup.find(ArtefactReader.class)).check(job.name(), store, manifestKey, manifest,
                Integer.parseInt(job.parameter("verifySampleFiles", "20")), readAll);
    }

    /** A pack of the snapshot's table marked damaged in the store ({@code <id>.damaged}, left by a failed verification). */
    @Override
    public Optional<String> referencesDamaged(String job, Store store, String manifestKey, Manifest manifest) throws IOException {
        Set<String> damaged = PackRecord.damagedIn(store, job);
        if (damaged.isEmpty()) {
            return Optional.empty();
        }
        for (StoredObject pack : sharedObjects(job, store, manifestKey, manifest)) {
            String id = PackRecord.idOf(pack.key());
            if (damaged.contains(id)) {
                return Optional.of("it references pack " + id + ", which failed verification in store '" + store.name()
                        + "' (" + PackRecord.damagedMarker(job, id) + "): its files there cannot be restored from this store");
            }
        }
        return Optional.empty();
    }

    /** The packs the snapshot's {@code packs.idx} lists (decoded: the snapshot's key is needed). */
    @Override
    public List<StoredObject> sharedObjects(String job, Store store, String manifestKey, Manifest manifest) throws IOException {
        Manifest.Artefact table = manifest.artefact(SnapshotIndex.PACKS);
        List<StoredObject> objects = new ArrayList<>();
        try (InputStream raw = lookup.find(ArtefactReader.class).openRaw(store, Manifest.dataKey(manifestKey, table), manifest, table)) {
            for (PackRecord pack : SnapshotRestore.packTable(raw).values()) {
                objects.add(new StoredObject(pack.key(), pack.storedSize(), pack.storedSha256()));
            }
        }
        return objects;
    }

    private List<Store> stores(JobSpec job) {
        StoreRegistry registry = lookup.find(StoreRegistry.class);
        return job.stores().stream().map(registry::get).toList();
    }

    private static Path directory(JobSpec job) {
        return Path.of(job.parameter("directory", "")).toAbsolutePath().normalize();
    }

    private static List<String> excludes(JobSpec job) {
        List<String> globs = new ArrayList<>();
        String exclude = job.parameter("exclude", DEFAULT_EXCLUDES);
        if (exclude.equals("none")) {
            return globs;
        }
        Arrays.stream(exclude.split(",")).map(String::strip)
                .filter(glob -> !glob.isEmpty()).forEach(globs::add);
        return globs;
    }

    public static final class Factory implements SourceFactory {
        @Override
        public Source create(Context context) {
            return new FilesSource(context.lookup());
        }
    }
}
