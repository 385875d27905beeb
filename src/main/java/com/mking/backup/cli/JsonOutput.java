package com.mking.backup.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.mking.backup.pipeline.Manifest;

import java.io.IOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The JSON commands print for scripts. The audit tables keep times without a zone (all UTC); printed, they carry
 * it ({@code 2026-11-29T09:30:00Z}), so a script in another zone reads the right instant.
 */
final class JsonOutput {

    private static final ObjectMapper JSON = Manifest.json().copy().registerModule(new SimpleModule()
            .addSerializer(LocalDateTime.class, new JsonSerializer<>() {
                @Override
                public void serialize(LocalDateTime value, JsonGenerator out, SerializerProvider provider) throws IOException {
                    out.writeString(value.toInstant(ZoneOffset.UTC).toString()); // seconds always written, unlike OffsetDateTime
                }
            }));

    private JsonOutput() {
    }

    static String of(Object value) throws JsonProcessingException {
        return JSON.writeValueAsString(value);
    }

    /** {@code value}'s JSON object with one more field (what the table shows beside what the record holds). */
    static com.fasterxml.jackson.databind.node.ObjectNode with(Object value, String field, String text) {
        com.fasterxml.jackson.databind.node.ObjectNode node = JSON.valueToTree(value);
        node.put(field, text);
        return node;
    }
}
