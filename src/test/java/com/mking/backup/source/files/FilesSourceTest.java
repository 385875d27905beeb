package com.mking.backup.source.files;

import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.SourceContractTest;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.SmallDisk;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files snapshots through the source contract, on a generated tree of 5,000+ files: nested directories, symlinks
 * (relative, to a directory, dangling), odd names (spaces, UTF-8, a newline), modes, empty files and directories, and a
 * 1 GiB sparse file. A second snapshot after 10 changes, 5 additions and 3 deletions stores only those; each snapshot
 * restores to the tree as it was (compared with diff and find, not with this project's code); one directory restores
 * alone; pruning the first snapshot removes only packs nobody references and the second still restores; a file that
 * keeps changing while it is read is reported.
 */
class FilesSourceTest extends SourceContractTest {

    private Path tree;
    /** {@code cp -a} of the tree as the first snapshot saw it. */
    private Path asFirst;
    private String secondId;

    @Override
    protected String kind() {
        return "files";
    }

    @Override
    protected void startSource() throws Exception {
        tree = installation.home().resolve("uploads");
        generateTree(tree);
        // an uploads directory the web server owns, closed to others: a restore into a new directory brings both back
        Files.setPosixFilePermissions(tree, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        if ("root".equals(System.getProperty("user.name"))) {
            run(null, "chown", "65534:65534", tree.toString());
        }
        asFirst = copyAsBackedUp(tree, "uploads-as-first");
    }

    /** {@code cp -a} of the tree without what the default exclusions leave out (its directory's mtime kept). */
    private Path copyAsBackedUp(Path from, String name) throws Exception {
        Path copy = installation.home().resolve(name);
        run(null, "cp", "-a", from.toString(), copy.toString());
        Files.delete(copy.resolve("odd names").resolve("scratch.tmp"));
        run(null, "rm", "-r", copy.resolve("odd names").resolve(".mking-restoring").toString());
        run(null, "touch", "-h", "-r", from.resolve("odd names").toString(), copy.resolve("odd names").toString());
        return copy;
    }

    /** Local and S3: a snapshot's thousand small packs over SFTP cost the suite minutes; six other sources cover that store. */
    @Override
    protected String contractStores() {
        return "local,minio";
    }

    @Override
    protected void stopSource() {
    }

    @Override
    protected Map<String, String> jobParameters() {
        // 1 MiB packs, so that the churn directory's old content fills packs of its own that pruning can remove
        return Map.of("directory", tree.toString(), "packSizeMiB", "1");
    }

    @Override
    protected List<String> expectedArtefacts() {
        return List.of("files\\.idx", "packs\\.idx");
    }

    @Override
    protected List<String> restoreArguments(Path target) {
        return List.of("--target", target.toString());
    }

    @Override
    protected void assertRestoredEqualsOriginal(Path target) throws Exception {
        assertSameTree(asFirst, target);
    }

    /** A path too long for the kernel deep in the tree: listing it fails at run time (root reads every mode). */
    @Override
    protected void breakSource() throws Exception {
        Files.createDirectories(tree.resolve("deep-break"));
        tree = tree.resolve("deep-break"); // perl's relative mkdir/chdir go where no absolute path reaches
        try {
            run(tree, "perl", "-e", "for (1..70) { mkdir 'd' x 64 or die \"mkdir: $!\"; chdir 'd' x 64 or die \"chdir: $!\" }");
        } finally {
            tree = tree.getParent();
        }
    }

    @Override
    protected void repairSource() throws Exception {
        run(tree, "rm", "-rf", "deep-break");
    }

    @Override
    protected String expectedFailure() {
        return "File name too long";
    }

    @Test
    @Order(31)
    void aSecondSnapshotStoresOnlyWhatChangedAndBothRestoreAsTheyWere() throws Exception {
        // 10 changed, 5 added, 3 deleted; the changed and deleted ones all in churn/
        List<Path> churn;
        try (Stream<Path> files = Files.list(tree.resolve("churn"))) {
            churn = files.sorted().toList();
        }
        long changedBytes = 0;
        for (int i = 0; i < 10; i++) {
            byte[] content = ("changed " + i + "\n").repeat(5000).getBytes(StandardCharsets.UTF_8);
            Files.write(churn.get(i), content);
            changedBytes += content.length;
        }
        for (int i = 10; i < 13; i++) {
            Files.delete(churn.get(i));
        }
        for (int i = 0; i < 5; i++) {
            byte[] content = ("added " + i + "\n").repeat(300).getBytes(StandardCharsets.UTF_8);
            Files.write(tree.resolve("d3").resolve("added-" + i + ".txt"), content);
            changedBytes += content.length;
        }
        Path asSecond = copyAsBackedUp(tree, "uploads-as-second");

        CliResult second = installation.cli("run", job());
        assertThat(second.exitCode()).as(second.all()).isEqualTo(0);
        assertThat(second.out()).containsPattern("snapshot of \\d+ files, [0-9.]+ GiB; read [0-9.]+ KiB, stored [0-9.]+ K?i?B "
                + "of new content in 1 pack");
        secondId = second.backupId(job());
        Map<String, String> details = manifestOf(secondId).details();
        assertThat(details).containsEntry("filesChanged", "10").containsEntry("filesNew", "5")
                .containsEntry("filesDeleted", "3").containsEntry("bytesRead", Long.toString(changedBytes))
                .containsEntry("previousSnapshot", backupId);
        // only the new content was stored: a few packs of about 1 MiB, not the tree again
        assertThat(Long.parseLong(details.get("packBytesStored"))).isLessThan(changedBytes + (64 << 10));
        assertThat(Long.parseLong(manifestOf(backupId).details().get("bytesRead"))).isGreaterThan(1L << 30);

        Path first = freshTarget("as-first");
        CliResult restoreFirst = installation.cli("restore", backupId, "--target", first.toString());
        assertThat(restoreFirst.exitCode()).as(restoreFirst.all()).isEqualTo(0);
        assertSameTree(asFirst, first);
        long[] all = regularFiles(asFirst);
        assertThat(restoreRow("as-first")).containsExactly("full", Long.toString(all[0]), Long.toString(all[1]));
        assertThat(Long.parseLong(run(null, "stat", "-c", "%b", first.resolve("big.bin").toString()).trim()) * 512)
                .as("the 1 GiB sparse file comes back sparse, not as 1 GiB of zeros on disk").isLessThan(16L << 20);
        assertThat(run(null, "find", first.toString(), "-maxdepth", "0", "-printf", "%m %U:%G %T@"))
                .as("the directory's own mode, owner and mtime")
                .isEqualTo(run(null, "find", asFirst.toString(), "-maxdepth", "0", "-printf", "%m %U:%G %T@")).startsWith("750");
        Path secondTarget = freshTarget("as-second");
        CliResult restoreSecond = installation.cli("restore", secondId, "--from", "minio", "--target", secondTarget.toString());
        assertThat(restoreSecond.exitCode()).as(restoreSecond.all()).isEqualTo(0);
        assertSameTree(asSecond, secondTarget);
        run(null, "rm", "-rf", first.toString());
    }

    @Test
    @Order(32)
    void oneDirectoryRestoresAloneAndAForcedRestoreMovesAsideWhatItReplaces() throws Exception {
        Path target = freshTarget("only-d7");
        CliResult restore = installation.cli("restore", backupId, "--target", target.toString(), "--include", "d7");
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        try (Stream<Path> top = Files.list(target)) {
            assertThat(top.map(p -> p.getFileName().toString()).toList()).containsExactly("d7");
        }
        assertThat(run(null, "diff", "-r", "--no-dereference", asFirst.resolve("d7").toString(),
                target.resolve("d7").toString())).isEmpty();
        long[] d7 = regularFiles(asFirst.resolve("d7"));
        assertThat(restoreRow("only-d7")).as("the audit row: type, files, bytes")
                .containsExactly("partial", Long.toString(d7[0]), Long.toString(d7[1]));

        // into a non-empty target: refused without --force; with it, replaced files are moved aside, others kept
        Files.writeString(target.resolve("d7").resolve("f0.dat"), "local edit");
        Files.writeString(target.resolve("mine.txt"), "not in the snapshot");
        CliResult refused = installation.cli("restore", backupId, "--target", target.toString(), "--include", "d7");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("--force");
        CliResult forced = installation.cli("restore", backupId, "--target", target.toString(), "--include", "d7", "--force");
        assertThat(forced.exitCode()).as(forced.all()).isEqualTo(0);
        assertThat(target.resolve("mine.txt")).hasContent("not in the snapshot");
        assertThat(Files.mismatch(target.resolve("d7").resolve("f0.dat"), asFirst.resolve("d7").resolve("f0.dat"))).isEqualTo(-1);
        assertSameTree(asFirst.resolve("d7"), target.resolve("d7")); // the merged directories' modes and mtimes included
        assertThat(run(null, "find", target.resolve("d7").toString(), "-maxdepth", "0", "-printf", "%m %T@"))
                .isEqualTo(run(null, "find", asFirst.resolve("d7").toString(), "-maxdepth", "0", "-printf", "%m %T@"));
        String aside = forced.out().replaceAll("(?s).*what was there is now (\\S+?)\\).*", "$1");
        assertThat(Path.of(aside).resolve("d7").resolve("f0.dat")).hasContent("local edit");
        run(null, "rm", "-rf", target.toString(), aside);

        // operator mistakes: one message naming what is wrong, exit 2, nothing attempted (no alert)
        Path aFile = Files.writeString(freshTarget("a-file"), "not a directory");
        CliResult underAFile = installation.cli("restore", backupId, "--target", aFile.resolve("sub").toString());
        assertThat(underAFile.exitCode()).isEqualTo(2);
        assertThat(underAFile.err()).contains(aFile + " is a file, not a directory");
        CliResult notForFiles = installation.cli("restore", backupId, "--target", freshTarget("jobs").toString(), "--jobs", "3");
        assertThat(notForFiles.exitCode()).isEqualTo(2);
        assertThat(notForFiles.err()).contains("--jobs").contains("apply to a PostgreSQL restore");
        Files.delete(aFile);
        CliResult noMatch = installation.cli("restore", backupId, "--target", freshTarget("no-match").toString(),
                "--include", "no/such/path");
        assertThat(noMatch.exitCode()).as(noMatch.all()).isEqualTo(2);
        assertThat(noMatch.err()).containsPattern("(?m)^error: --include matches no path in this snapshot");
        try (java.sql.Connection audit = installation.audit(); java.sql.Statement statement = audit.createStatement();
             java.sql.ResultSet row = statement.executeQuery("SELECT status FROM restore_tasks WHERE target_path LIKE '%/no-match'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).as("stopped on what was asked: not a failed restore").isEqualTo("cancelled");
        }
        assertThat(freshTarget("no-match")).doesNotExist();
        assertThat(restoreAlerts("no-match")).as("nobody is alerted for a glob that matches nothing").isZero();
    }

    /**
     * A pack found damaged in one store is marked there, and the next snapshot stores its content again instead of
     * referring to it: the new snapshot verifies and restores from that store while the damaged pack is still there.
     */
    @Test
    @Order(88)
    void aPackThatFailedVerificationIsNotBuiltOn() throws Exception {
        Path photos = Files.createDirectories(installation.home().resolve("damaged-photos"));
        Random random = new Random(7);
        long total = 0;
        for (int i = 0; i < 3; i++) {
            byte[] content = new byte[200_000];
            random.nextBytes(content);
            Files.write(photos.resolve("photo-" + i + ".jpg"), content);
            total += content.length;
        }
        installation.withJob(kind(), "damaged-photos", Map.of("directory", photos.toString(), "stores", "local,minio"));
        CliResult first = installation.cli("run", "damaged-photos");
        assertThat(first.exitCode()).as(first.all()).isEqualTo(0);
        String firstId = first.backupId("damaged-photos");
        CliResult unchanged = installation.cli("run", "damaged-photos"); // shares the first one's pack
        assertThat(unchanged.exitCode()).as(unchanged.all()).isEqualTo(0);
        String sharingId = unchanged.backupId("damaged-photos");
        Path pack;
        try (Stream<Path> files = Files.walk(installation.localStore().resolve("damaged-photos").resolve("packs"))) {
            pack = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        com.mking.backup.support.Damage.flipMiddleByte(pack);
        CliResult verify = installation.cli("verify", sharingId);
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(1);
        assertThat(verify.out()).containsPattern(sharingId + " +local +FAILED");
        String id = PackRecord.idOf(pack.getFileName().toString());
        assertThat(pack.resolveSibling(id + PackRecord.DAMAGED)).as("the marker beside the pack").exists();
        // the older snapshot shares the pack: its local copy is recorded failed too, so that retention, list and
        // restores stop counting on it there (it was 'success' until verified itself, and prune kept it over minio's)
        assertThat(verify.out()).containsPattern(firstId + " +local +FAILED: it references pack " + id);
        CliResult listed = installation.cli("list", "--job", "damaged-photos");
        assertThat(listed.out().lines().filter(line -> line.contains(firstId)).findFirst().orElseThrow())
                .as(listed.out()).contains("degraded");
        CliResult again = installation.cli("verify", firstId);
        assertThat(again.out()).containsPattern(firstId + " +local +FAILED: SHA-256 mismatch for damaged-photos/packs/");
        assertThat(again.out()).containsPattern(firstId + " +minio +passed");
        Path older = freshTarget("photos-older-than-damage");
        CliResult fromGood = installation.cli("restore", firstId, "--target", older.toString());
        assertThat(fromGood.exitCode()).as(fromGood.all()).isEqualTo(0);
        assertThat(fromGood.all()).contains("from store 'minio'");
        assertThat(run(null, "diff", "-r", photos.toString(), older.toString())).isEmpty();

        CliResult second = installation.cli("run", "damaged-photos");
        assertThat(second.exitCode()).as(second.all()).isEqualTo(0);
        String secondPhotos = second.backupId("damaged-photos");
        Map<String, String> details = manifestOf(secondPhotos).details();
        assertThat(details.get("bytesRead")).as("the damaged pack's content is read again").isEqualTo(Long.toString(total));
        assertThat(Integer.parseInt(details.get("packsWritten"))).isPositive();
        CliResult verified = installation.cli("verify", secondPhotos);
        assertThat(verified.exitCode()).as(verified.all()).isEqualTo(0);
        Path target = freshTarget("photos-after-damage");
        CliResult restore = installation.cli("restore", secondPhotos, "--from", "local", "--target", target.toString());
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(run(null, "diff", "-r", photos.toString(), target.toString())).isEmpty();
    }

    /**
     * Files whose stat changed but not their bytes (touched; put back by a restore, with new inodes) are hashed, found
     * identical and not stored again; a file of the same size with other bytes is stored.
     */
    @Test
    @Order(89)
    void filesTouchedOrPutBackUnchangedAreNotStoredAgain() throws Exception {
        Path photos = Files.createDirectories(installation.home().resolve("touched-photos"));
        Random random = new Random(11);
        for (int i = 0; i < 4; i++) {
            byte[] content = new byte[300_000];
            random.nextBytes(content);
            Files.write(photos.resolve("photo-" + i + ".jpg"), content);
        }
        installation.withJob(kind(), "touched-photos", Map.of("directory", photos.toString(), "stores", "local,minio"));
        CliResult first = installation.cli("run", "touched-photos");
        assertThat(first.exitCode()).as(first.all()).isEqualTo(0);

        run(null, "touch", photos.resolve("photo-0.jpg").toString());
        // as a restore puts a file back: a new inode, the old mtime
        run(null, "cp", "-p", photos.resolve("photo-1.jpg").toString(), photos.resolve("copy.tmp").toString());
        Files.move(photos.resolve("copy.tmp"), photos.resolve("photo-1.jpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        byte[] other = new byte[300_000];
        random.nextBytes(other);
        Files.write(photos.resolve("photo-2.jpg"), other); // same size, other bytes

        CliResult second = installation.cli("run", "touched-photos");
        assertThat(second.exitCode()).as(second.all()).isEqualTo(0);
        Map<String, String> details = manifestOf(second.backupId("touched-photos")).details();
        assertThat(details).containsEntry("filesSameContent", "2").containsEntry("filesUnchanged", "3")
                .containsEntry("filesChanged", "1").containsEntry("bytesPacked", "300000");
        Path target = freshTarget("touched-restored");
        CliResult restore = installation.cli("restore", second.backupId("touched-photos"), "--target", target.toString());
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(run(null, "diff", "-r", photos.toString(), target.toString())).isEmpty();
        assertThat(run(null, "stat", "-c", "%Y", target.resolve("photo-0.jpg").toString()))
                .as("the new mtime is in the snapshot").isEqualTo(run(null, "stat", "-c", "%Y", photos.resolve("photo-0.jpg").toString()));
    }

    /** Type, file count and bytes of the successful restore into a target whose path ends with {@code targetName}. */
    private List<String> restoreRow(String targetName) throws Exception {
        try (java.sql.Connection audit = installation.audit(); java.sql.Statement statement = audit.createStatement();
             java.sql.ResultSet rows = statement.executeQuery("SELECT restore_type, restored_file_count, restored_size_bytes "
                     + "FROM restore_tasks WHERE status = 'success' AND target_path LIKE '%/" + targetName + "'")) {
            assertThat(rows.next()).as("a restore into " + targetName).isTrue();
            return List.of(rows.getString(1), rows.getString(2), rows.getString(3));
        }
    }

    /** How many regular files a tree holds and their bytes. */
    private static long[] regularFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> files = walk.filter(path -> Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
            long bytes = 0;
            for (Path file : files) {
                bytes += Files.size(file);
            }
            return new long[] {files.size(), bytes};
        }
    }

    /** Alert conditions raised for failed restores into a target whose path ends with {@code targetName}. */
    private int restoreAlerts(String targetName) throws Exception {
        try (java.sql.Connection audit = installation.audit(); java.sql.Statement statement = audit.createStatement();
             java.sql.ResultSet rows = statement.executeQuery("SELECT count(*) FROM alert_conditions WHERE condition_key "
                     + "LIKE 'restore-failed:%" + targetName + "'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    @Order(33)
    void verifyReadAllDecodesEveryPack() throws Exception {
        CliResult verify = installation.cli("verify", backupId, "--read-all");
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(0);
        assertThat(verify.all()).containsPattern("\\d+ packs decoded, \\d+ file\\(s\\) decoded and matching");
    }

    @Test
    @Order(34)
    void aTargetDiskThatFillsUpIsNamedAndLeftAsItWas() throws Exception {
        // a 2 MiB filesystem: the snapshot's content does not fit
        try (SmallDisk disk = SmallDisk.mount(freshTarget("small-disk"), "2m")) {
            Path small = disk.directory();
            Path target = small.resolve("restored-on-full-disk");
            CliResult restore = installation.cli("restore", backupId, "--target", target.toString());
            assertThat(restore.exitCode()).as(restore.all()).isEqualTo(1);
            assertThat(restore.err()).contains("a disk filled up during the restore")
                    .containsPattern("\\d+ MiB free now on the filesystem of " + small + "; the backup is \\d+ MiB")
                    .contains("No space left on device")
                    .as("another copy would not help").doesNotContain("other copies");
            assertNothingRestored(target);
            try (Stream<Path> left = Files.list(small)) {
                assertThat(left).as("nothing left on the full disk").isEmpty();
            }
            assertThat(restoreAlerts("restored-on-full-disk")).as("a failed restore alerts, whatever the cause").isEqualTo(1);
        }
    }

    /**
     * The backed-up directory is gone (deleted, or a mount that did not come up): other commands and jobs go on, the
     * job's run fails saying so, and its snapshot restores the directory where it was.
     */
    @Test
    @Order(36)
    void aDirectoryThatIsGoneIsRestoredFromItsSnapshotWhileEverythingElseRuns() throws Exception {
        Path moved = tree.resolveSibling("uploads-gone");
        Files.move(tree, moved);
        try {
            CliResult list = installation.cli("list", "--job", job());
            assertThat(list.exitCode()).as(list.all()).isEqualTo(0);
            assertThat(list.err()).contains(tree + " does not exist");
            CliResult run = installation.cli("run", job());
            assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
            assertThat(run.err()).contains(tree + " does not exist (deleted, moved or not mounted?): nothing was backed up");
            CliResult restore = installation.cli("restore", secondId, "--target", tree.toString());
            assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
            assertSameTree(installation.home().resolve("uploads-as-second"), tree);
            // again over it with --force: the whole tree is back, and its directory's time with it
            Files.setLastModifiedTime(tree, java.nio.file.attribute.FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
            CliResult forced = installation.cli("restore", secondId, "--target", tree.toString(), "--force");
            assertThat(forced.exitCode()).as(forced.all()).isEqualTo(0);
            assertThat(forced.out()).as("identical files are replaced, not kept aside twice").doesNotContain("what was there");
            assertThat(run(null, "find", tree.toString(), "-maxdepth", "0", "-printf", "%T@")).isEqualTo(
                    run(null, "find", installation.home().resolve("uploads-as-second").toString(), "-maxdepth", "0", "-printf", "%T@"));
            // --delete moves aside what the snapshot lacks, but not what the job excludes (rsync's --delete does the same)
            Files.writeString(tree.resolve("extra.txt"), "not in the snapshot");
            Files.writeString(tree.resolve("editor.swp"), "excluded by the job: never looked at");
            CliResult deleting = installation.cli("restore", secondId, "--target", tree.toString(), "--force", "--delete");
            assertThat(deleting.exitCode()).as(deleting.all()).isEqualTo(0);
            assertThat(tree.resolve("extra.txt")).doesNotExist();
            assertThat(tree.resolve("editor.swp")).hasContent("excluded by the job: never looked at");
        } finally {
            run(null, "rm", "-rf", tree.toString());
            try (Stream<Path> aside = Files.list(tree.getParent())) {
                for (Path path : aside.filter(p -> p.getFileName().toString().startsWith("uploads.before-restore-")).toList()) {
                    run(null, "rm", "-rf", path.toString());
                }
            }
            Files.move(moved, tree);
        }
    }

    @Test
    @Order(35)
    void aCorruptedPackFailsVerificationAndNothingIsRestoredFromIt() throws Exception {
        Path pack = packKeys().stream().map(Path::of).max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
                .orElseThrow();
        byte[] original = Files.readAllBytes(pack);
        com.mking.backup.support.Damage.flipMiddleByte(pack);
        try {
            CliResult verify = installation.cli("verify", secondId);
            assertThat(verify.exitCode()).as(verify.all()).isEqualTo(1);
            assertThat(verify.out()).containsPattern("local +FAILED");
            assertThat(verify.out()).doesNotContainPattern("minio +FAILED");
            Path target = freshTarget("from-corrupt-pack");
            CliResult restore = installation.cli("restore", secondId, "--from", "local", "--target", target.toString());
            assertThat(restore.exitCode()).as(restore.all()).isEqualTo(1);
            assertThat(restore.err()).contains("the backup has other copies: try --from minio");
            assertNothingRestored(target);
            assertThat(restoreAlerts("from-corrupt-pack")).as("a restore failing on the backup alerts").isEqualTo(1);
        } finally {
            Files.write(pack, original);
        }
        // the pack put back: it verifies again and its mark goes; the first snapshot, marked failed for sharing it, is good
        // again once verified itself
        CliResult again = installation.cli("verify", secondId);
        assertThat(again.exitCode()).as(again.all()).isEqualTo(0);
        assertThat(Path.of(pack.toString().replaceFirst("\\.zst\\.enc$", PackRecord.DAMAGED))).doesNotExist();
        CliResult first = installation.cli("verify", backupId);
        assertThat(first.exitCode()).as(first.all()).isEqualTo(0);
    }

    @Test
    @Order(60)
    void pruningTheFirstSnapshotKeepsEveryPackTheSecondNeeds() throws Exception {
        declareJob(Map.of("keepLast", "1", "keepDaily", "0", "keepWeekly", "0", "keepMonthly", "0", "keepYearly", "0"));
        CliResult dryRun = installation.cli("prune", "--job", job(), "--dry-run");
        assertThat(dryRun.exitCode()).as(dryRun.all()).isEqualTo(0);
        assertThat(dryRun.out()).contains("would delete " + backupId).contains("would be removed");
        List<String> packsBefore = packKeys();

        CliResult prune = installation.cli("prune", "--job", job());
        assertThat(prune.exitCode()).as(prune.all()).isEqualTo(0);
        List<String> packsAfter = packKeys();
        assertThat(packsAfter.size()).as("packs only the first snapshot referenced are gone").isLessThan(packsBefore.size());
        // every pack the second snapshot lists is still in both stores, and it restores as it was
        Path target = freshTarget("as-second-after-prune");
        CliResult restore = installation.cli("restore", secondId, "--from", "minio", "--target", target.toString());
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertSameTree(installation.home().resolve("uploads-as-second"), target);
        CliResult verify = installation.cli("verify", secondId);
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(0);
        run(null, "rm", "-rf", target.toString());
    }

    @Test
    @Order(70)
    void aFileThatKeepsChangingWhileReadIsReported() throws Exception {
        Path growing = installation.home().resolve("growing");
        Files.createDirectories(growing);
        Files.writeString(growing.resolve("steady.txt"), "steady");
        Path log = growing.resolve("app.data");
        Files.write(log, new byte[32 << 20]);
        installation.withJob(kind(), "growing", Map.of("directory", growing.toString(), "stores", "local"));
        Thread writer = new Thread(() -> {
            byte[] line = "another line of log\n".repeat(100).getBytes(StandardCharsets.UTF_8);
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Files.write(log, line, java.nio.file.StandardOpenOption.APPEND);
                    Thread.sleep(2);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        writer.start();
        CliResult run;
        try {
            run = installation.cli("run", "growing");
        } finally {
            writer.interrupt();
            writer.join();
        }
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        assertThat(manifestOf(run.backupId("growing")).details()).containsEntry("changedWhileRead", "1");
        assertThat(run.all()).contains("changed while they were read").contains("app.data");
    }

    /**
     * The index is written while the packs are: its upload must not hold an S3 part buffer the packs wait for. With one
     * buffer (parallel-parts 1) the first pack waited for the index, and the index for the packs: the run hung.
     */
    @Test
    @Order(76)
    void aSnapshotOfManyPacksCompletesWithOneS3PartBuffer() throws Exception {
        Path photos = Files.createDirectories(installation.home().resolve("photos"));
        Random random = new Random(7);
        for (int i = 0; i < 6; i++) {
            byte[] content = new byte[3 << 19];
            random.nextBytes(content);
            Files.write(photos.resolve("p" + i + ".jpg"), content);
        }
        installation.set("mking.store.minio.parallel-parts", "1");
        try {
            installation.withJob(kind(), "photos", Map.of("directory", photos.toString(), "packSizeMiB", "1",
                    "stores", "local,minio"));
            CliResult run = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofMinutes(2),
                    () -> installation.cli("run", "photos"), "the snapshot hung: its index and its packs waited for each other");
            assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
            assertThat(manifestOf(run.backupId("photos")).details()).containsEntry("packsWritten", "6");
            Path target = freshTarget("photos-restored");
            CliResult restore = installation.cli("restore", run.backupId("photos"), "--from", "minio", "--target", target.toString());
            assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
            assertSameTree(photos, target);
        } finally {
            installation.set("mking.store.minio.parallel-parts", "2");
        }
    }

    @Test
    @Order(75)
    void anAppendedLogIsStoredAsItsNewTailAndARotatedOneAsANewFile() throws Exception {
        Path logs = Files.createDirectories(installation.home().resolve("logs"));
        Path app = logs.resolve("app.log");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; lines.length() < (3 << 20); i++) {
            lines.append("2026-11-28T01:00:00Z GET /upload/").append(i).append(" 200\n");
        }
        Files.writeString(app, lines);
        installation.withJob(kind(), "logs", Map.of("directory", logs.toString(), "exclude", "*.tmp", "stores", "local,minio"));
        assertThat(installation.cli("run", "logs").exitCode()).isEqualTo(0);

        String tail = "2026-11-28T02:00:00Z GET /upload/new 200\n".repeat(25);
        Files.writeString(app, tail, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(logs.resolve("app.log.1"), "rotated yesterday\n");
        CliResult second = installation.cli("run", "logs");
        assertThat(second.exitCode()).as(second.all()).isEqualTo(0);
        assertThat(manifestOf(second.backupId("logs")).details()).containsEntry("filesAppended", "1")
                .containsEntry("filesNew", "1")
                .containsEntry("bytesPacked", Long.toString(tail.length() + "rotated yesterday\n".length()));
        Path target = freshTarget("logs-restored");
        CliResult restore = installation.cli("restore", second.backupId("logs"), "--from", "minio", "--target", target.toString());
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertSameTree(logs, target);
    }

    @Test
    @Order(80)
    void aSnapshotFarSmallerThanTheRecentOnesRaisesTheAlarm() throws Exception {
        Path shrinking = Files.createDirectories(installation.home().resolve("shrinking"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(shrinking.resolve("photo-" + i + ".jpg"), "picture " + i);
        }
        installation.withJob(kind(), "shrinking", Map.of("directory", shrinking.toString(), "stores", "local"));
        for (int run = 0; run < 4; run++) {
            CliResult backup = installation.cli("run", "shrinking");
            assertThat(backup.exitCode()).as(backup.all()).isEqualTo(0);
        }
        assertThat(audit("SELECT source_files || '/' || source_bytes FROM backup_executions WHERE job_name = 'shrinking' "
                + "ORDER BY id DESC LIMIT 1")).isEqualTo("20/" + (20 * "picture 1".length() + 10));
        assertThat(installation.cli("check").out()).contains("OK       shrink:shrinking");
        for (int i = 0; i < 15; i++) { // a mass deletion
            Files.delete(shrinking.resolve("photo-" + i + ".jpg"));
        }
        CliResult shrunk = installation.cli("run", "shrinking");
        assertThat(shrunk.exitCode()).as("the backup itself succeeded").isEqualTo(0);
        assertThat(shrunk.err()).contains("warning: job shrinking: the newest backup holds far less than before");
        CliResult check = installation.cli("check");
        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.out()).contains("DANGER   job shrinking: the newest backup holds far less than before")
                .contains("holds 5 files");
    }

    @Test
    @Order(85)
    void aNameThatIsNotUtf8FailsTheRunNamingItAndAnUnreadablePreviousIndexIsNotBuiltOn() throws Exception {
        Path odd = Files.createDirectories(installation.home().resolve("latin1"));
        Files.writeString(odd.resolve("plain.txt"), "plain");
        run(odd, "sh", "-c", "printf 'old upload' > \"$(printf 'caf\\351.txt')\"");
        installation.withJob(kind(), "latin1", Map.of("directory", odd.toString(), "stores", "local"));
        CliResult refused = installation.cli("run", "latin1");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
        assertThat(refused.all()).contains("not valid UTF-8").contains("caf\uFFFD.txt").contains("convmv");

        installation.withJob(kind(), "latin1", Map.of("directory", odd.toString(), "stores", "local", "exclude", "caf*"));
        CliResult first = installation.cli("run", "latin1");
        assertThat(first.exitCode()).as(first.all()).isEqualTo(0);
        // the first snapshot's index is damaged in the only store: the next run reads every file instead of failing
        String manifestKey = audit("SELECT manifest_key FROM backup_executions WHERE backup_id = '"
                + first.backupId("latin1") + "'");
        Manifest manifest = manifestOf(first.backupId("latin1"));
        Path index = installation.localStore().resolve(Manifest.dataKey(manifestKey, manifest.artefact("files.idx")));
        byte[] bytes = Files.readAllBytes(index);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(index, bytes);
        Files.writeString(odd.resolve("new.txt"), "new");
        CliResult second = installation.cli("run", "latin1");
        assertThat(second.exitCode()).as(second.all()).isEqualTo(0);
        assertThat(second.all()).contains("could not be read past entry 0").contains("every file after it is read and "
                + "stored again");
        assertThat(manifestOf(second.backupId("latin1")).details()).containsEntry("previousIndexIncomplete", "true")
                .containsEntry("filesNew", "2");

        // into an existing empty directory (a mount point, say): it stays, with its own mode; the tree goes into it
        Path target = Files.createDirectories(installation.home().resolve("latin1-restored"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx--x---"));
        Object inode = Files.getAttribute(target, "unix:ino");
        CliResult restore = installation.cli("restore", second.backupId("latin1"), "--target", target.toString());
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(Files.getAttribute(target, "unix:ino")).isEqualTo(inode);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rwx--x---");
        assertThat(run(null, "diff", "-r", "--exclude=caf*", odd.toString(), target.toString())).isEmpty();

        CliResult nothing = installation.cli("restore", second.backupId("latin1"), "--target",
                freshTarget("latin1-none").toString(), "--include", "avatars");
        assertThat(nothing.exitCode()).as(nothing.all()).isNotEqualTo(0);
        assertThat(nothing.all()).contains("--include matches no path in this snapshot");
    }

    @Test
    @Order(86)
    void theRestoreTestRestoresTheNewestSnapshotAndCountsItInPlace() throws Exception {
        Path work = installation.home().resolve("restore-tests");
        installation.set("mking.restore-test.dir", work.toString());
        CliResult test = installation.cli("restore-test", "--job", "latin1");
        assertThat(test.exitCode()).as(test.all()).isEqualTo(0);
        assertThat(test.out()).contains("passed").contains("2 files, 0 symlinks, 8 bytes in place")
                .contains("matches the backup's 2 files' SHA-256");
        assertThat(work.resolve("latin1")).as("the scratch directory is removed").doesNotExist();
        assertThat(audit("SELECT v.status FROM backup_verifications v JOIN backup_executions e ON e.id = v.backup_execution_id "
                + "WHERE e.job_name = 'latin1' AND v.verification_type = 'restore_test'")).isEqualTo("passed");
    }

    private List<String> packKeys() throws IOException {
        try (Stream<Path> files = Files.walk(installation.localStore().resolve(job()).resolve("packs"))) {
            return files.filter(Files::isRegularFile).map(Path::toString).sorted().toList();
        }
    }

    private Manifest manifestOf(String id) throws Exception {
        String manifestKey = audit("SELECT manifest_key FROM backup_executions WHERE backup_id = '" + id + "'");
        return Manifest.read(Files.newInputStream(installation.localStore().resolve(manifestKey)));
    }

    /** Same names, types, content and symlink targets (diff), and same modes and mtimes (find), as independent tools see them. */
    private static void assertSameTree(Path expected, Path actual) throws Exception {
        assertThat(run(null, "diff", "-r", "--no-dereference", expected.toString(), actual.toString())).isEmpty();
        List<String> want = listing(expected);
        List<String> got = listing(actual);
        List<String> missing = want.stream().filter(line -> !got.contains(line)).limit(10).toList();
        List<String> extra = got.stream().filter(line -> !want.contains(line)).limit(10).toList();
        assertThat(missing).as("entries (name, type, mode, mtime, size, link) missing or different; extra: " + extra).isEmpty();
        assertThat(got).hasSameSizeAs(want);
    }

    /** A symlink's own time is set with lutimes, to the microsecond (the JDK has no nanosecond call that does not follow links). */
    private static String symlinkTimeInMicroseconds(String line) {
        return line.replaceFirst("\tl (\\d+) (\\d+\\.\\d{6})\\d+ ", "\tl $1 $2 ");
    }

    /** One record per entry, NUL-separated (a name may hold a newline), sorted. */
    private static List<String> listing(Path root) throws Exception {
        String records = run(root, "find", ".", "-mindepth", "1", "-printf", "%P\\t%y %m %T@ %s %l\\0");
        return java.util.Arrays.stream(records.split("\0")).map(FilesSourceTest::symlinkTimeInMicroseconds).sorted().toList();
    }

    /** 5,000+ files in nested directories, odd names, modes, symlinks, empty ones, a 1 GiB sparse file. */
    private static void generateTree(Path root) throws IOException {
        Random random = new Random(42);
        Instant base = Instant.parse("2026-01-02T03:04:05.123456789Z");
        for (int d = 0; d < 50; d++) {
            for (int e = 0; e < 10; e++) {
                Path directory = root.resolve("d" + d).resolve("e" + e);
                Files.createDirectories(directory);
                for (int f = 0; f < 10; f++) {
                    byte[] content = new byte[random.nextInt(4096)];
                    random.nextBytes(content);
                    Path file = directory.resolve("f" + f + ".dat");
                    Files.write(file, content);
                    Files.setLastModifiedTime(file, FileTime.from(base.plusSeconds(random.nextInt(1_000_000))));
                }
            }
            Files.write(root.resolve("d" + d).resolve("f0.dat"), ("top of d" + d).getBytes(StandardCharsets.UTF_8));
        }
        Path churn = Files.createDirectories(root.resolve("churn"));
        for (int i = 0; i < 13; i++) {
            byte[] content = new byte[200_000];
            random.nextBytes(content);
            Files.write(churn.resolve(String.format("c%02d.bin", i)), content);
        }
        Path odd = Files.createDirectories(root.resolve("odd names"));
        Files.writeString(odd.resolve("with space.txt"), "space");
        Files.writeString(odd.resolve("ünïcødé-文件.txt"), "utf-8");
        Files.writeString(odd.resolve("new\nline.txt"), "newline");
        Files.writeString(odd.resolve("private.key"), "secret-ish", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(odd.resolve("private.key"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(odd.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(odd.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createFile(odd.resolve("empty"));
        Files.createDirectories(odd.resolve("empty dir"));
        Files.createSymbolicLink(odd.resolve("link-to-file"), Path.of("with space.txt"));
        Files.createSymbolicLink(odd.resolve("link-to-dir"), Path.of("../d1"));
        Files.createSymbolicLink(odd.resolve("dangling"), Path.of("/nonexistent/target"));
        Files.writeString(odd.resolve("scratch.tmp"), "excluded by default");
        // what a restore into this directory killed midway leaves: never backed up (it would come back with the tree)
        Files.writeString(Files.createDirectories(odd.resolve(".mking-restoring").resolve("docs")).resolve("half.txt"), "x");
        try (RandomAccessFile big = new RandomAccessFile(root.resolve("big.bin").toFile(), "rw")) {
            big.setLength(1L << 30);
            byte[] head = new byte[3 << 20];
            random.nextBytes(head);
            big.write(head);
            big.seek((1L << 30) - head.length);
            big.write(head);
        }
        Files.setPosixFilePermissions(root.resolve("d2"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(root.resolve("d2"), FileTime.from(base));
    }
}
