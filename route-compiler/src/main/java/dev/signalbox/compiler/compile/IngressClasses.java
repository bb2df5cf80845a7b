package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.StoredObject;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which Ingresses are Signalbox's. An Ingress is ours when spec.ingressClassName names a class of
 * its cluster whose spec.controller is {@link #CONTROLLER}; or, without ingressClassName, when its legacy
 * {@code kubernetes.io/ingress.class} annotation names such a class; or when it names no class at all and
 * one of our classes is annotated {@code ingressclass.kubernetes.io/is-default-class: "true"}.
 *
 * <p>Several default classes in one cluster (the API server then refuses new class-less Ingresses, but
 * old ones remain): class-less Ingresses are still ours when any default class is ours, as ingress-nginx
 * does for its own default class; every default class gets a warning.
 */
final class IngressClasses {
    static final String CONTROLLER = "signalbox.dev/ingress-controller";
    static final String LEGACY_ANNOTATION = "kubernetes.io/ingress.class";

    private final Map<String, Map<String, IngressClassState>> byCluster = new HashMap<>();

    IngressClasses(ClusterModel model, Diagnostics diagnostics) {
        Map<String, List<ObjectKey>> defaults = new HashMap<>();
        for (StoredObject o : model.ofKind(Kind.INGRESS_CLASS)) {
            IngressClassState c = (IngressClassState) o.state();
            byCluster.computeIfAbsent(o.key().clusterId(), k -> new HashMap<>()).put(o.key().name(), c);
            if (c.defaultClass()) {
                defaults.computeIfAbsent(o.key().clusterId(), k -> new ArrayList<>()).add(o.key());
            }
        }
        defaults.values().stream().filter(keys -> keys.size() > 1).forEach(keys -> keys.forEach(k -> diagnostics.warning(k,
                "more than one IngressClass is marked default (" + keys.stream().map(ObjectKey::name).sorted().toList()
                        + "); Ingresses without a class are taken by every controller whose class is default")));
    }

    boolean isOurs(ObjectKey ingress, IngressState state) {
        Map<String, IngressClassState> classes = byCluster.getOrDefault(ingress.clusterId(), Map.of());
        String named = state.ingressClassName();
        if (named == null) {
            named = state.annotations().get(LEGACY_ANNOTATION);
        }
        if (named != null) {
            IngressClassState c = classes.get(named);
            return c != null && CONTROLLER.equals(c.controller());
        }
        return classes.values().stream().anyMatch(c -> c.defaultClass() && CONTROLLER.equals(c.controller()));
    }
}
