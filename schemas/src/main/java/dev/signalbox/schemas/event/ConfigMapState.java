package dev.signalbox.schemas.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A v1 ConfigMap, published only because an Ingress of its namespace names it for header fields (issue 18):
 * ingress-nginx's {@code custom-headers} (response fields) or Signalbox's {@code signalbox.dev/proxy-set-headers}
 * (fields sent to the backends, ingress-nginx's controller-wide {@code proxy-set-headers} per Ingress). The
 * cluster's other ConfigMaps never reach Kafka. ConfigMaps hold no secrets, so the data travels in clear.
 *
 * @param data         the ConfigMap's {@code data}, sorted by key ({@code binaryData} is left out: header fields are
 *                     text); empty when {@code notPublished} is set
 * @param notPublished why the data was left out (too large), or null
 */
public record ConfigMapState(Map<String, String> data, String notPublished) implements ObjectState {
    /** ingress-nginx's annotation naming a ConfigMap of response fields ({@code more_set_headers}). */
    public static final String CUSTOM_HEADERS = "custom-headers";
    /** Signalbox's annotation naming a ConfigMap of request fields sent to the backends ({@code proxy_set_header}). */
    public static final String PROXY_SET_HEADERS = "proxy-set-headers";

    @JsonCreator
    public ConfigMapState {
        data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(data));
    }

    @Override
    public Kind kind() {
        return Kind.CONFIG_MAP;
    }

    /**
     * The names of the ConfigMaps of {@code namespace} that an Ingress of that namespace with these annotations reads,
     * sorted, without repeats: {@code custom-headers} (under {@code signalbox.dev/} first, then
     * {@code nginx.ingress.kubernetes.io/}) and {@code signalbox.dev/proxy-set-headers} (ingress-nginx has no such
     * annotation). A reference to another namespace, or one that is not {@code namespace/name}, names none. The
     * watcher publishes exactly the ConfigMaps this names; the compiler reads the same.
     */
    public static List<String> referencedBy(String namespace, Map<String, String> annotations) {
        TreeMap<String, String> names = new TreeMap<>();
        for (String ref : new String[] {reference(annotations, CUSTOM_HEADERS, true),
                reference(annotations, PROXY_SET_HEADERS, false)}) {
            String name = configMapName(namespace, ref);
            if (name != null) {
                names.put(name, name);
            }
        }
        return new ArrayList<>(names.keySet());
    }

    /**
     * The value of the annotation naming the ConfigMap, trimmed, or null when it is absent or blank; under
     * {@code signalbox.dev/} first, then (when {@code nginxToo}) under {@code nginx.ingress.kubernetes.io/}.
     */
    public static String reference(Map<String, String> annotations, String annotation, boolean nginxToo) {
        for (String prefix : nginxToo ? new String[] {"signalbox.dev/", "nginx.ingress.kubernetes.io/"}
                : new String[] {"signalbox.dev/"}) {
            String v = annotations.get(prefix + annotation);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    /**
     * The name {@code ref} gives a ConfigMap of {@code namespace}: {@code ref} must be {@code namespace/name}, as
     * ingress-nginx looks it up (its store's key; a bare name finds nothing there), of the Ingress's own namespace, with
     * a DNS subdomain as name. Null otherwise.
     */
    public static String configMapName(String namespace, String ref) {
        if (ref == null) {
            return null;
        }
        int slash = ref.indexOf('/');
        if (slash < 0 || !ref.substring(0, slash).equals(namespace)) {
            return null;
        }
        String name = ref.substring(slash + 1);
        return name.length() <= 253 && name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") ? name : null;
    }
}
