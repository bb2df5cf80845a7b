package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.StoredObject;
import dev.signalbox.schemas.event.IngressState.ServiceRef;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ServiceState;
import dev.signalbox.schemas.snapshot.ErrorPages;
import dev.signalbox.schemas.snapshot.RouteOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * ingress-nginx's annotations on what a route's requests are sent to (issue 18): {@code service-upstream} (the
 * Service's cluster IP and port instead of its endpoints), {@code default-backend} (a Service of the Ingress's
 * namespace, by name, on its first port, as ingress-nginx takes {@code Spec.Ports[0]}: it serves the route while the
 * route's Service has no endpoint) and {@code custom-http-errors} (statuses whose response is replaced by the default
 * backend's). Each is read under {@value Annotations#SIGNALBOX} first, then {@value Annotations#NGINX}.
 *
 * <p>A malformed value (ingress-nginx's validators refuse it and drop the Ingress) is an error on the Ingress, which
 * is then not routed. A default backend that does not exist or has no port is an error too; the routes are compiled
 * without it (errors get the proxy's own page). Pure.
 */
final class BackendAnnotations {
    // A Service name (RFC 1035 label), ingress-nginx's ValidateServiceName.
    private static final Pattern SERVICE_NAME = Pattern.compile("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$");
    private static final Pattern CODE = Pattern.compile("^[0-9]{3}$");

    /**
     * What the annotations ask of the Ingress's routes.
     *
     * @param serviceUpstream {@code service-upstream: "true"}
     * @param defaultBackend  {@code default-backend}: a Service name in the Ingress's namespace, or null
     * @param codes           {@code custom-http-errors}, sorted, without repeats
     */
    record Spec(boolean serviceUpstream, String defaultBackend, List<Integer> codes) {
        Spec {
            codes = List.copyOf(codes);
        }
    }

    /** The Ingress sets none of these annotations. */
    static final Spec NONE = new Spec(false, null, List.of());

    private BackendAnnotations() {
    }

    /** The Ingress's settings, or empty (with an error on it) when a value is malformed: then it is not routed. */
    static Optional<Spec> of(ObjectKey key, Map<String, String> annotations, Diagnostics diagnostics) {
        PathAnnotations.Reader r = new PathAnnotations.Reader(key, annotations, diagnostics);
        boolean serviceUpstream = r.bool("service-upstream");
        String defaultBackend = r.value("default-backend");
        if (defaultBackend != null && !SERVICE_NAME.matcher(defaultBackend).matches()) {
            r.malformed("default-backend", defaultBackend, "the name of a Service in the Ingress's namespace");
            defaultBackend = null;
        }
        List<Integer> codes = codes(r);
        if (r.failed) {
            return Optional.empty();
        }
        return Optional.of(new Spec(serviceUpstream, defaultBackend, codes));
    }

    /** {@code custom-http-errors}: comma-separated statuses from 400 to 599 (ingress-nginx's validator). */
    private static List<Integer> codes(PathAnnotations.Reader r) {
        String v = r.value("custom-http-errors");
        if (v == null) {
            return List.of();
        }
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : v.split(",", -1)) {
            String c = part.trim();
            if (c.isEmpty()) {
                continue;
            }
            int code = CODE.matcher(c).matches() ? Integer.parseInt(c) : -1;
            if (code < 400 || code > 599) {
                r.malformed("custom-http-errors", v, "a comma-separated list of statuses from 400 to 599 (\"" + c
                        + "\" is not one)");
                return List.of();
            }
            out.add(code);
        }
        return List.copyOf(out);
    }

    /**
     * The id of the Ingress's default backend ({@code spec.defaultBackend()}), resolved on the Service's first port, or
     * null when it sets none or the Service cannot be used (then an error on the Ingress).
     */
    static String defaultBackend(ClusterModel model, ObjectKey ingress, Spec spec, Backends backends,
                                 Diagnostics diagnostics) {
        if (spec.defaultBackend() == null) {
            return null;
        }
        String name = ingress.namespace() + "/" + spec.defaultBackend();
        StoredObject o = model.get(new ObjectKey(ingress.clusterId(), Kind.SERVICE, ingress.namespace(),
                spec.defaultBackend()));
        if (o == null || ((ServiceState) o.state()).ports().isEmpty()) {
            diagnostics.error(ingress, "default-backend service " + name + (o == null ? " does not exist" : " has no port")
                    + "; its errors get the proxy's own page and its Services' 503s stand");
            return null;
        }
        ServiceState.Port first = ((ServiceState) o.state()).ports().get(0);
        return backends.resolve(ingress, new ServiceRef(spec.defaultBackend(), first.port(), null), null, false,
                diagnostics).id();
    }

    /**
     * {@code options} with the route's error pages added: the route's whole options, or null when it has none.
     *
     * @param service the route's Service, as the Ingress names it
     */
    static RouteOptions attach(RouteOptions options, Spec spec, String defaultBackend, ObjectKey ingress,
                               ServiceRef service) {
        if (spec == null || defaultBackend == null && spec.codes().isEmpty()) {
            return options;
        }
        String port = service.portNumber() != null ? String.valueOf(service.portNumber()) : service.portName();
        ErrorPages errors = new ErrorPages(defaultBackend, spec.codes(), ingress.namespace(), ingress.name(),
                service.name(), port);
        RouteOptions o = options == null ? new RouteOptions(null, null, null, null, null, null, null, null, null) : options;
        return new RouteOptions(o.rewriteTarget(), o.forwardedPrefix(), o.redirect(), o.appRoot(), o.limits(),
                o.traffic(), o.access(), o.headers(), errors);
    }
}
