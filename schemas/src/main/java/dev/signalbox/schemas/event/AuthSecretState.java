package dev.signalbox.schemas.event;

import dev.signalbox.schemas.crypto.SealedKey;
import java.util.Map;

/**
 * A v1 Secret that is not of type kubernetes.io/tls, published only because an Ingress names it in an
 * {@code auth-secret} annotation (issue 18): its data, sealed by the watcher like a TLS key, so htpasswd hashes never
 * enter Kafka in clear. The event's kind is Secret, like a TLS Secret's (one object is one or the other).
 *
 * @param data          the Secret's data as a JSON object of UTF-8 strings, sealed for
 *                      {@link TlsSecretState#sealingContext}; null when it was left out ({@code notPublished} says why)
 * @param notPublished  why the data was left out (no key-encryption key, too large), or null
 */
public record AuthSecretState(SealedKey data, String notPublished) implements ObjectState {
    @Override
    public Kind kind() {
        return Kind.SECRET;
    }

    /**
     * The name of the Secret of {@code namespace} that an Ingress of that namespace with these annotations reads for
     * basic authentication, or null: {@code auth-type} set and {@code auth-secret} naming it ({@code name} or
     * {@code namespace/name}; ingress-nginx's SplitMetaNamespaceKey), each under {@code signalbox.dev/} first, then
     * {@code nginx.ingress.kubernetes.io/}. Secrets of other namespaces are never read. The watcher publishes exactly
     * the Secrets this names; the compiler reads the same.
     */
    public static String referencedBy(String namespace, Map<String, String> annotations) {
        return annotation(annotations, "auth-type") == null ? null
                : secretName(namespace, annotation(annotations, "auth-secret"));
    }

    /** The name {@code ref} gives a Secret of {@code namespace}, or null when it names another or is no DNS subdomain. */
    public static String secretName(String namespace, String ref) {
        if (ref == null) {
            return null;
        }
        int slash = ref.indexOf('/');
        String ns = slash < 0 ? namespace : ref.substring(0, slash);
        String name = slash < 0 ? ref : ref.substring(slash + 1);
        return ns.equals(namespace) && name.length() <= 253 && name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") ? name : null;
    }

    private static String annotation(Map<String, String> annotations, String name) {
        for (String prefix : new String[] {"signalbox.dev/", "nginx.ingress.kubernetes.io/"}) {
            String v = annotations.get(prefix + name);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
