package com.mking.backup.source.files;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The two artefacts of a snapshot, one JSON object per line, read and written as streams (never whole in memory):
 * {@code files.idx}, every entry in {@link FileEntry#compare} order, and {@code packs.idx}, every pack those entries
 * reference.
 */
final class SnapshotIndex {

    static final String FILES = "files.idx";
    static final String PACKS = "packs.idx";

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

    private SnapshotIndex() {
    }

    /** Flushed when closed, not after each entry: a flush per entry ended a zstd block and made a write call for each. */
    static SequenceWriter entryWriter(OutputStream out) throws IOException {
        return JSON.writerFor(FileEntry.class).withRootValueSeparator("\n")
                .without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE).writeValues(out);
    }

    static SequenceWriter packWriter(OutputStream out) throws IOException {
        return JSON.writerFor(PackRecord.class).withRootValueSeparator("\n")
                .without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE).writeValues(out);
    }

    static MappingIterator<FileEntry> entries(InputStream in) throws IOException {
        return JSON.readerFor(FileEntry.class).readValues(in);
    }

    static MappingIterator<PackRecord> packs(InputStream in) throws IOException {
        return JSON.readerFor(PackRecord.class).readValues(in);
    }
}
