package dev.signalbox.schemas.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * {@link SnapshotCodec#contentHash} of one table after another, the same hash, faster when the tables share most
 * of their entries (issue 15): the canonical JSON of each backend and virtual host is kept from the previous table
 * (by equality) and written as it is, so a table that differs from the last in one backend is serialised in that
 * backend only, and streamed into SHA-256 without being held whole. Jackson still writes everything around the
 * entries, so a field added to the table, a backend or a route changes nothing here. Not thread-safe: one per
 * reader or compiler thread; it holds the previous table's JSON (about as many bytes as an encoded table).
 */
public final class TableHasher {
    private final ObjectMapper mapper;
    private Map<Object, String> previous = new HashMap<>();
    private Map<Object, String> current;
    /** The table hashed last and its hash: the compiler asks twice for the same table (compare, then publish). */
    private RoutingTable lastTable;
    private String lastHash;

    public TableHasher() {
        SimpleModule module = new SimpleModule();
        module.setSerializerModifier(new BeanSerializerModifier() {
            @Override
            public JsonSerializer<?> modifySerializer(SerializationConfig config, BeanDescription bean,
                                                      JsonSerializer<?> serializer) {
                Class<?> type = bean.getBeanClass();
                return type == Backend.class || type == VirtualHost.class ? new Kept(type) : serializer;
            }
        });
        mapper = Json.MAPPER.copy().registerModule(module);
    }

    /** SHA-256 of the canonical JSON of {@code table}, as {@link SnapshotCodec#contentHash} gives it. */
    public String hash(RoutingTable table) {
        if (table == lastTable) {
            return lastHash;
        }
        current = new HashMap<>(Math.max(16, previous.size() * 2));
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
                mapper.writeValue(out, table);
            }
            previous = current;
            lastTable = table;
            lastHash = "sha256:" + HexFormat.of().formatHex(digest.digest());
            return lastHash;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            current = null;
        }
    }

    /** Writes an entry's JSON as the previous table had it, or as the canonical mapper writes it. */
    private final class Kept extends StdSerializer<Object> {
        Kept(Class<?> type) {
            super(Object.class);
        }

        @Override
        public void serialize(Object value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            String json = previous.get(value);
            if (json == null) {
                json = Json.MAPPER.writeValueAsString(value);
            }
            current.put(value, json);
            gen.writeRawValue(json);
        }
    }
}
