package dev.signalbox.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.schemas.codec.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A file of one JSON document a line (a proxy's access log), read as it is now. */
public final class JsonLines {
    private JsonLines() {
    }

    /** Every complete line of {@code file} so far, each parsed (a line that is not JSON fails); none when absent. */
    public static List<JsonNode> read(Path file) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            String text = Files.readString(file);
            // A line still being written (no newline yet) is left for the next read.
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : text.substring(0, end).lines().filter(l -> !l.isEmpty()).map(l -> {
                try {
                    return Json.MAPPER.readTree(l);
                } catch (IOException e) {
                    throw new UncheckedIOException("not JSON: " + l, e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of {@code file} whose {@code field} is {@code value}. */
    public static List<JsonNode> where(Path file, String field, String value) {
        return read(file).stream().filter(j -> j.hasNonNull(field) && j.get(field).asText().equals(value)).toList();
    }
}
