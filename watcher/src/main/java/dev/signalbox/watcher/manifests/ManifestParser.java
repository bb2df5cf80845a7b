package dev.signalbox.watcher.manifests;

import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.codec.Sha256;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.watcher.convert.StateConverter;
import dev.signalbox.watcher.model.Observed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Parses one multi-document YAML file into the objects the watcher publishes, with the same converter as
 * the Kubernetes source. resourceVersion is a hash of the converted state (stable across restarts), uid
 * is metadata.uid or a name-based UUID of the key, and a namespaced object without a namespace is in
 * "default". Pure; any thread.
 */
public final class ManifestParser {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile("line[: ]+(\\d+)");

    private ManifestParser() {
    }

    /** The objects of a file, or where it fails to parse. */
    public sealed interface Result {
    }

    /**
     * @param documents each document's objects by the SHA-256 of its text: what a later parse of the same file
     *                  passes back ({@link #parse(String, KeyRing, String, Map)}) to skip the documents that did not change
     */
    public record Parsed(List<Observed> objects, Map<String, List<Observed>> documents) implements Result {
        public Parsed {
            objects = List.copyOf(objects);
            documents = Map.copyOf(documents);
        }
    }

    /** @param line 1-based line in the file where parsing failed, 0 if unknown */
    public record Failed(int line, String message) implements Result {
    }

    public static Result parse(String clusterId, KeyRing keys, String text) {
        return parse(clusterId, keys, text, Map.of());
    }

    /**
     * {@link #parse(String, KeyRing, String)}, taking the objects of every document whose text is unchanged from
     * {@code known} (the last parse's {@link Parsed#documents}) instead of parsing it again: editing one object of a
     * file of hundreds parses that one document (issue 15). The result is the same as a parse from scratch, but for
     * the objects a document gives: the same instances as before, so a Secret sealed again is not a change.
     */
    public static Result parse(String clusterId, KeyRing keys, String text, Map<String, List<Observed>> known) {
        List<Observed> out = new ArrayList<>();
        Map<String, List<Observed>> documents = new HashMap<>();
        int docStart = 1;
        StringBuilder doc = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i <= lines.length; i++) {
            boolean end = i == lines.length;
            if (end || lines[i].startsWith("---")) {
                String document = doc.toString();
                String digest = digest(document);
                List<Observed> objects = known.get(digest);
                if (objects == null) {
                    objects = new ArrayList<>();
                    Failed f = parseDocument(clusterId, keys, document, docStart, objects);
                    if (f != null) {
                        return f;
                    }
                }
                out.addAll(objects);
                documents.put(digest, objects);
                doc.setLength(0);
                docStart = i + 2;
                continue;
            }
            if (i < lines.length - 1 || !lines[i].isEmpty()) {
                doc.append(lines[i]).append('\n');
            }
        }
        return new Parsed(out, documents);
    }

    private static Failed parseDocument(String clusterId, KeyRing keys, String doc, int firstLine, List<Observed> out) {
        if (doc.isBlank() || doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
            return null;
        }
        Object parsed;
        try {
            parsed = SERIALIZATION.unmarshal(doc);
        } catch (RuntimeException e) {
            return new Failed(firstLine - 1 + Math.max(1, lineOf(e)), rootMessage(e));
        }
        List<HasMetadata> objects = new ArrayList<>();
        if (parsed instanceof KubernetesResourceList<?> list) {
            for (KubernetesResource r : list.getItems()) {
                if (r instanceof HasMetadata h) {
                    objects.add(h);
                }
            }
        } else if (parsed instanceof HasMetadata h) {
            objects.add(h);
        } else if (parsed instanceof List<?> l) {
            l.stream().filter(HasMetadata.class::isInstance).map(HasMetadata.class::cast).forEach(objects::add);
        }
        for (HasMetadata o : objects) {
            if (o.getMetadata() == null || o.getMetadata().getName() == null) {
                return new Failed(firstLine, o.getKind() + " without metadata.name");
            }
            if (o.getMetadata().getNamespace() == null) {
                o.getMetadata().setNamespace("default");
            }
            StateConverter.convert(clusterId, o, keys).ifPresent(c -> out.add(stamp(c)));
        }
        return null;
    }

    private static String digest(String document) {
        return HexFormat.of().formatHex(Sha256.of(document));
    }

    /** Gives a manifest object the identity a cluster would: a stable uid and a content-hash resourceVersion. */
    static Observed stamp(Observed c) {
        String uid = c.uid() != null ? c.uid()
                : UUID.nameUUIDFromBytes(c.key().recordKey().getBytes(StandardCharsets.UTF_8)).toString();
        return new Observed(c.key(), uid, contentHash(c.state()), c.state());
    }

    /** A hash of the canonical JSON of a state: equal states, equal versions, in every run. */
    public static String contentHash(ObjectState state) {
        try {
            byte[] json = Json.MAPPER.writerFor(ObjectState.class).writeValueAsBytes(state);
            return "sha256-" + HexFormat.of().formatHex(Sha256.of(json), 0, 12);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The problem line: snakeyaml names the context first and the problem mark last ("... line N"). */
    private static int lineOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            java.util.regex.Matcher m = LINE.matcher(String.valueOf(t.getMessage()));
            int last = 0;
            while (m.find()) {
                last = Integer.parseInt(m.group(1));
            }
            if (last > 0) {
                return last;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof tools.jackson.core.JacksonException j && j.getLocation() != null && j.getLocation().getLineNr() > 0) {
                return j.getLocation().getLineNr();
            }
        }
        return 0;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }
}
