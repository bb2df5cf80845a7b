package dev.signalbox.observability;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.signalbox.schemas.codec.Json;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A component's answer to /readyz: ready or not, and why, as a small JSON object ({@code status} plus the
 * component's own fields; keys sorted, as every Signalbox JSON).
 *
 * @param status a word for people and scripts: {@code ready}, {@code standby}, {@code not-synced}...
 */
public record Health(boolean ready, String status, Map<String, Object> detail) {
    public Health {
        detail = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(detail));
    }

    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("ready", ready);
        root.put("status", status);
        root.putAll(detail);
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
