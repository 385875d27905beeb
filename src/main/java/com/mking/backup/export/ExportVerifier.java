package com.mking.backup.export;

import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.Sha256;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Checks an export on its own (no configuration, audit database or key needed): every file of every volume against
 * the volume's {@code export.sha256} (recomputed), every file the catalog names against the listing, and every data file
 * a manifest names against that manifest's stored SHA-256. Bad, missing and unlisted files are each named.
 */
public final class ExportVerifier {

    private ExportVerifier() {
    }

    /** One volume as found: its directory and number (1 for an export without volumes). */
    public record Volume(Path directory, int number) {
        public String label(boolean inVolumes) {
            return inVolumes ? VolumePlan.directory(number) + "/" : "";
        }
    }

    /**
     * What the check found. {@code problems}: each bad, missing or inconsistent file (the export cannot be trusted);
     * {@code notes}: what is worth knowing but harmless (files not listed, a volume checked without the others).
     */
    public record Report(Path directory, ExportCatalog catalog, List<Volume> volumes, boolean inVolumes, int files, long bytes,
                         List<String> problems, List<String> notes, Map<Integer, Map<String, String>> listings) {

        public boolean passed() {
            return problems.isEmpty();
        }
    }

    /** The volumes of an export: the directory itself, or its {@code vol-NNN} directories. Not an export: IllegalArgumentException. */
    static List<Volume> volumes(Path dir, String option) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + " is not a directory: give the directory an export was "
                    + "written to (or one of its vol-NNN volumes)");
        }
        if (Files.exists(dir.resolve(Sha256Listing.FILE_NAME)) || Files.exists(dir.resolve(ExportCatalog.FILE_NAME))) {
            return List.of(new Volume(dir, volumeNumber(dir)));
        }
        List<Volume> volumes = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.filter(Files::isDirectory).sorted().toList()) {
                String name = entry.getFileName().toString();
                if (name.matches("vol-\\d{3,}")) {
                    volumes.add(new Volume(entry, Integer.parseInt(name.substring(4))));
                }
            }
        }
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException(option + " " + dir + " is not an export: it has no " + Sha256Listing.FILE_NAME
                    + " and no vol-NNN volumes (an export that did not finish has no listing either: export again)");
        }
        return volumes;
    }

    private static int volumeNumber(Path dir) {
        try {
            if (Files.exists(dir.resolve(ExportCatalog.FILE_NAME))) {
                return Math.max(1, ExportCatalog.read(dir.resolve(ExportCatalog.FILE_NAME)).volume());
            }
        } catch (IOException | RuntimeException e) {
            // reported by the check itself
        }
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        return name.matches("vol-\\d{3,}") ? Integer.parseInt(name.substring(4)) : 1;
    }

    public static Report verify(Path dir, String option) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        List<Volume> volumes = volumes(root, option);
        // alone: the directory named is one volume (or an export without volumes); else it holds vol-NNN directories
        boolean alone = volumes.size() == 1 && volumes.get(0).directory().equals(root);
        boolean inVolumes = !alone;
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>(); // "volume:key" already reported
        ExportCatalog catalog = null;
        Map<Integer, Map<String, String>> listings = new LinkedHashMap<>();
        Map<String, String> listedAnywhere = new HashMap<>();
        Map<String, Integer> volumeOfKey = new HashMap<>();
        int files = 0;
        long bytes = 0;
        byte[] buffer = new byte[256 << 10];
        for (Volume volume : volumes) {
            String label = volume.label(inVolumes);
            Path listingFile = volume.directory().resolve(Sha256Listing.FILE_NAME);
            if (!Files.isRegularFile(listingFile)) {
                problems.add("MISSING " + label + Sha256Listing.FILE_NAME + ": the export of this volume did not finish, or "
                        + "the file was lost; nothing in it can be trusted");
                continue;
            }
            List<String> badLines = new ArrayList<>();
            Map<String, String> listing = Sha256Listing.read(listingFile, badLines);
            badLines.forEach(line -> problems.add("BAD " + label + line));
            listings.put(volume.number(), listing);
            for (Map.Entry<String, String> entry : listing.entrySet()) {
                String key = entry.getKey();
                listedAnywhere.putIfAbsent(key, entry.getValue());
                volumeOfKey.putIfAbsent(key, volume.number());
                Path file;
                try {
                    file = Exporter.resolve(volume.directory(), key);
                } catch (IllegalArgumentException e) {
                    problems.add("BAD " + label + Sha256Listing.FILE_NAME + " lists '" + key + "', outside the volume");
                    continue;
                }
                if (!Files.isRegularFile(file)) {
                    problems.add("MISSING " + label + key);
                    named.add(volume.number() + ":" + key);
                    continue;
                }
                String actual;
                long size = 0;
                java.security.MessageDigest digest = Sha256.newDigest();
                try (var in = Files.newInputStream(file)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                        size += n;
                    }
                    actual = Sha256.hex(digest.digest());
                } catch (IOException e) {
                    problems.add("UNREADABLE " + label + key + ": " + e.getMessage());
                    named.add(volume.number() + ":" + key);
                    continue;
                }
                files++;
                bytes += size;
                if (!actual.equals(entry.getValue())) {
                    problems.add("BAD " + label + key + ": SHA-256 " + actual + ", listed " + entry.getValue());
                    named.add(volume.number() + ":" + key);
                }
            }
            try (Stream<Path> walk = Files.walk(volume.directory())) {
                for (Path path : walk.filter(Files::isRegularFile).toList()) {
                    String key = volume.directory().relativize(path).toString().replace('\\', '/');
                    if (!key.equals(Sha256Listing.FILE_NAME) && !listing.containsKey(key)) {
                        notes.add("not listed (not part of the export): " + label + key);
                    }
                }
            }
            if (catalog == null) {
                Path catalogFile = volume.directory().resolve(ExportCatalog.FILE_NAME);
                if (Files.isRegularFile(catalogFile) && !named.contains(volume.number() + ":" + ExportCatalog.FILE_NAME)) {
                    try {
                        catalog = ExportCatalog.read(catalogFile);
                    } catch (IOException | RuntimeException e) {
                        problems.add("BAD " + label + ExportCatalog.FILE_NAME + ": " + e.getMessage());
                    }
                }
            }
        }
        if (catalog == null) {
            if (problems.isEmpty()) {
                problems.add("MISSING " + ExportCatalog.FILE_NAME + ": no volume holds a readable catalog");
            }
            return new Report(root, null, volumes, inVolumes, files, bytes, problems, notes, listings);
        }
        boolean all = true;
        if (alone) {
            all = catalog.volumes() <= 1;
            if (!all) {
                notes.add("volume " + volumes.get(0).number() + " of " + catalog.volumes() + " checked alone: name the directory "
                        + "holding every vol-NNN to check them together");
            }
        } else {
            for (int v = 1; v <= catalog.volumes(); v++) {
                int number = v;
                if (!listings.containsKey(v) && volumes.stream().noneMatch(vol -> vol.number() == number)) {
                    all = false;
                    problems.add("MISSING volume " + VolumePlan.directory(v) + " (the catalog says " + catalog.volumes()
                            + " volumes)");
                }
            }
        }
        // every file the catalog names, in the listing of its volume with the same SHA-256
        for (ExportCatalog.FileRef ref : catalog.allFiles()) {
            Map<String, String> listing = listings.get(ref.volume());
            if (listing == null || named.contains(ref.volume() + ":" + ref.key())) {
                continue;
            }
            String listed = listing.get(ref.key());
            String label = inVolumes ? VolumePlan.directory(ref.volume()) + "/" : "";
            if (listed == null) {
                problems.add("MISSING " + label + ref.key() + ": the catalog names it, the listing does not");
                named.add(ref.volume() + ":" + ref.key());
            } else if (!listed.equals(ref.sha256())) {
                problems.add("BAD " + label + ref.key() + ": listed with SHA-256 " + listed + ", the catalog says " + ref.sha256());
                named.add(ref.volume() + ":" + ref.key());
            }
        }
        // every data file a manifest names, listed with the manifest's stored SHA-256
        for (Map.Entry<Integer, Map<String, String>> listing : listings.entrySet()) {
            Volume volume = volumes.stream().filter(v -> v.number() == listing.getKey()).findFirst().orElseThrow();
            for (String key : listing.getValue().keySet()) {
                boolean backupManifest = key.endsWith("/" + Manifest.FILE_NAME);
                boolean walManifest = key.matches("[^/]+/wal/[^/]+\\.json");
                if ((!backupManifest && !walManifest) || named.contains(listing.getKey() + ":" + key)) {
                    continue;
                }
                Manifest manifest;
                try {
                    manifest = Manifest.read(Files.newInputStream(Exporter.resolve(volume.directory(), key)));
                } catch (IOException | RuntimeException e) {
                    problems.add("BAD " + volume.label(inVolumes) + key + ": not a readable manifest (" + e.getMessage() + ")");
                    continue;
                }
                for (Manifest.Artefact artefact : manifest.artefacts()) {
                    String dataKey = walManifest ? key.substring(0, key.lastIndexOf('/') + 1) + artefact.storedName()
                            : Manifest.dataKey(key, artefact);
                    String listed = listedAnywhere.get(dataKey);
                    Integer where = volumeOfKey.get(dataKey);
                    String label = inVolumes && where != null ? VolumePlan.directory(where) + "/" : volume.label(inVolumes);
                    if (listed == null) {
                        if (all && !named.contains("*:" + dataKey)) {
                            problems.add("MISSING " + label + dataKey + ": manifest " + key + " names it, no listing has it");
                            named.add("*:" + dataKey);
                        }
                    } else if (!listed.equals(artefact.storedSha256()) && !named.contains(where + ":" + dataKey)) {
                        problems.add("BAD " + label + dataKey + ": listed with SHA-256 " + listed + ", its manifest says "
                                + artefact.storedSha256());
                        named.add(where + ":" + dataKey);
                    }
                }
            }
        }
        return new Report(root, catalog, volumes, inVolumes, files, bytes, problems, notes, listings);
    }

    /** The keys of a volume's listing, data first and manifests ({@code .json}) last, as an import writes them. */
    static List<String> importOrder(Map<String, String> listing) {
        List<String> keys = new ArrayList<>(listing.keySet());
        keys.removeIf(key -> key.equals(ExportCatalog.FILE_NAME) || key.equals(RecoverySheet.FILE_NAME));
        keys.sort(Comparator.comparing((String key) -> key.endsWith(".json")));
        return keys;
    }
}
