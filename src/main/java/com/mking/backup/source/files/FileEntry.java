package com.mking.backup.source.files;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One line of a snapshot's index ({@code files.idx}): a path relative to the backed-up directory ('/' between names)
 * with what a restore puts back (type, size, mode, owner, times, symlink target) and where a regular file's content is:
 * its SHA-256 and its blobs, each a run of bytes in a pack. Times are nanoseconds since the epoch; {@code inode} and
 * {@code ctime} only tell an unchanged file at the next backup.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileEntry(String path, String type, long size, long mtime, long ctime, long inode, int mode, int uid,
                        int gid, String link, String sha256, List<Blob> blobs, Boolean changedWhileRead) {

    public static final String FILE = "f";
    public static final String DIRECTORY = "d";
    public static final String SYMLINK = "l";

    /**
     * Bytes {@code offset} to {@code offset + length} of a pack's raw content. {@code sha256} is set when a file has several
     * blobs (a single blob's hash is the file's).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Blob(String pack, long offset, long length, String sha256) {
    }

    @JsonIgnore
    public boolean isFile() {
        return FILE.equals(type);
    }

    @JsonIgnore
    public boolean isDirectory() {
        return DIRECTORY.equals(type);
    }

    @JsonIgnore
    public boolean isSymlink() {
        return SYMLINK.equals(type);
    }

    /** Whether {@code now}, as scanned, is this entry unchanged: same type, size, mtime, ctime and inode. */
    public boolean sameStatAs(FileEntry now) {
        return type.equals(now.type) && size == now.size && mtime == now.mtime && ctime == now.ctime && inode == now.inode;
    }

    /** This scanned entry with the content found by reading it (or carried over from the previous snapshot). */
    public FileEntry withContent(long readSize, String sha256, List<Blob> blobs, boolean changedWhileRead) {
        return new FileEntry(path, type, readSize, mtime, ctime, inode, mode, uid, gid, link, sha256, List.copyOf(blobs),
                changedWhileRead ? Boolean.TRUE : null);
    }

    /** The order of an index: name by name from the top, a directory before what is in it ('/' sorts first). */
    public static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return x == '/' ? -1 : y == '/' ? 1 : Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
