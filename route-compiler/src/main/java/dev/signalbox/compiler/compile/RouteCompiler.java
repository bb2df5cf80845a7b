package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.StoredObject;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.IngressState.BackendRef;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.RejectedState;
import dev.signalbox.schemas.event.TlsSecretState;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.ProxyLimits;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteAccess;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.ClientAuth;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.schemas.snapshot.Traffic;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The compiler: cluster model in, routing table with diagnostics out. A pure function: no I/O, no clock,
 * and everything it emits is sorted, so the same model always gives the same table.
 *
 * <p>Ingresses are processed oldest first (creationTimestamp, then cluster/namespace/name), so when two
 * claim the same host, path and path type, or both set a default backend, the older one wins and the
 * other gets a diagnostic. A bad part of an Ingress becomes a diagnostic on that Ingress and is left out;
 * the rest of that Ingress and every other Ingress still compile.
 *
 * <p>Clusters (issue 14): the rule is the same across clusters (oldest creationTimestamp, then cluster id,
 * namespace, name), except that the same host and path sending to the same merged Service (exported, KEP-1645)
 * from several clusters is one route, the oldest Ingress's, and no conflict.
 */
public final class RouteCompiler {
    private static final Comparator<StoredObject> OLDEST_FIRST = Comparator
            .comparing((StoredObject o) -> ((IngressState) o.state()).creationTimestamp(),
                    Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(StoredObject::key);

    private RouteCompiler() {
    }

    public static RoutingTable compile(ClusterModel model) {
        Diagnostics diagnostics = new Diagnostics();
        for (StoredObject o : model.rejected()) {
            diagnostics.error(o.key(), ((RejectedState) o.state()).reason() + "; not routed");
        }
        IngressClasses classes = new IngressClasses(model, diagnostics);
        Backends backends = new Backends(model);

        // host -> conflict key ("EXACT /a") -> the winning route
        Map<String, Map<String, Route>> hosts = new TreeMap<>();
        Map<String, ObjectKey> routeOwners = new HashMap<>();
        // host + conflict key -> what the winning route sends to, when that is a merged Service (issue 14)
        Map<String, MergedRoute> mergedRoutes = new HashMap<>();
        // host + conflict key -> how the winning route's Ingress speaks to backends, for its canary (issue 18)
        Map<String, BackendTls.Spec> routeTls = new HashMap<>();
        Map<String, TlsBinding> tls = new TreeMap<>();
        String defaultBackend = null;
        ObjectKey defaultOwner = null;
        List<String> owned = new ArrayList<>();

        List<StoredObject> ingresses = new ArrayList<>(model.ofKind(Kind.INGRESS));
        ingresses.sort(OLDEST_FIRST);
        List<HostAnnotations.Accepted> accepted = new ArrayList<>();
        Map<ObjectKey, ProxyLimits> limitsOf = new HashMap<>();
        Map<ObjectKey, HeaderOptions> headersOf = new HashMap<>();
        Map<ObjectKey, BackendAnnotations.Spec> backendSpecs = new HashMap<>();
        List<Canaries.Canary> canaries = new ArrayList<>();
        Map<ObjectKey, Traffic> traffics = new HashMap<>();
        for (StoredObject o : ingresses) {
            IngressState ing = (IngressState) o.state();
            ObjectKey key = o.key();
            if (!classes.isOurs(key, ing)) {
                continue;
            }
            owned.add(key.clusterId() + "/" + key.shortName());
            if (refusedByAnnotations(key, ing, diagnostics)) {
                continue;
            }
            Optional<TrafficAnnotations.Spec> traffic = TrafficAnnotations.of(key, ing.annotations(), diagnostics);
            if (traffic.isEmpty()) {
                continue;
            }
            if (traffic.get().canary() != null) {
                canaries.add(new Canaries.Canary(key, ing, traffic.get()));
                Canaries.warnIgnored(key, ing, diagnostics);
                continue;
            }
            if (traffic.get().traffic() != null) {
                traffics.put(key, traffic.get().traffic());
            }
            Optional<ProxyLimits> limits = LimitAnnotations.of(key, ing.annotations(), diagnostics);
            Optional<HeaderOptions> headers = HeaderAnnotations.of(key, ing.annotations(), diagnostics);
            Optional<BackendAnnotations.Spec> backendSpec = BackendAnnotations.of(key, ing.annotations(), diagnostics);
            PathAnnotations.of(key, ing.annotations(), diagnostics)
                    .filter(spec -> limits.isPresent() && headers.isPresent() && backendSpec.isPresent()).ifPresent(spec -> {
                        accepted.add(new HostAnnotations.Accepted(key, ing, spec));
                        limitsOf.put(key, limits.get());
                        headersOf.put(key, headers.get());
                        backendSpecs.put(key, backendSpec.get());
                    });
        }
        HostAnnotations hostAnnotations = HostAnnotations.of(accepted, diagnostics);
        for (HostAnnotations.Accepted a : accepted) {
            IngressState ing = a.state();
            ObjectKey key = a.key();
            String source = key.clusterId() + "/" + key.shortName();
            java.util.Set<String> tlsHosts = redirectedHosts(key, ing, diagnostics);
            BackendTls.Spec upstreamTls = BackendTls.of(model, key, ing.annotations(), diagnostics);
            RouteAccess access = AccessAnnotations.of(model, key, ing.annotations(), diagnostics);
            BackendAnnotations.Spec backendSpec = backendSpecs.get(key);
            String errorBackend = BackendAnnotations.defaultBackend(model, key, backendSpec, backends, diagnostics);
            HeaderConfigMaps.Fields configMapFields = HeaderConfigMaps.of(model, key, ing.annotations(), diagnostics);

            if (ing.defaultBackend() != null) {
                if (defaultOwner != null) {
                    diagnostics.warning(key, "defaultBackend ignored: the older Ingress " + defaultOwner.shortName()
                            + " in cluster " + defaultOwner.clusterId() + " already sets the default backend");
                } else {
                    Optional<Backend> b = backend(key, ing.defaultBackend(), "defaultBackend", upstreamTls, backends,
                            diagnostics);
                    if (b.isPresent()) {
                        defaultBackend = b.get().id();
                        defaultOwner = key;
                    }
                }
            }

            for (IngressState.Rule rule : ing.rules()) {
                String host = VirtualHost.ANY_HOST;
                if (rule.host() != null && !rule.host().isEmpty()) {
                    host = Paths.normalizeHost(rule.host());
                    if (host == null) {
                        diagnostics.error(key, "rule host \"" + rule.host()
                                + "\" is not a valid host name or one-label wildcard (*.example.com); rule ignored");
                        continue;
                    }
                }
                for (IngressState.PathRule p : rule.paths()) {
                    String where = "path \"" + p.path() + "\" of host " + host;
                    Optional<PathMatch> match = Paths.match(p.pathType());
                    if (match.isEmpty()) {
                        diagnostics.error(key, where + ": pathType \"" + p.pathType()
                                + "\" is not Exact, Prefix or ImplementationSpecific; path ignored");
                        continue;
                    }
                    boolean regex = hostAnnotations.regex(host);
                    String invalid = Paths.invalidPath(p.path(), regex);
                    if (invalid == null && regex) {
                        invalid = HostAnnotations.invalidRegex(p.path());
                    }
                    if (invalid != null) {
                        diagnostics.error(key, "host " + host + ": " + invalid + "; path ignored");
                        continue;
                    }
                    PathMatch pathMatch = regex ? PathMatch.REGEX : match.get();
                    String conflictKey = pathMatch + " " + Paths.conflictKey(p.path(), pathMatch);
                    Map<String, Route> routes = hosts.computeIfAbsent(host, h -> new TreeMap<>());
                    ObjectKey owner = routeOwners.get(host + " " + conflictKey);
                    if (owner != null && !owner.clusterId().equals(key.clusterId())
                            && sameMergedRoute(mergedRoutes.get(host + " " + conflictKey), key, p, upstreamTls, backends)) {
                        // The same host and path to the same merged Service, defined in another cluster too: one route.
                        continue;
                    }
                    if (owner != null) {
                        diagnostics.warning(key, where + " (" + p.pathType() + ") is already routed by the older Ingress "
                                + owner.shortName() + " in cluster " + owner.clusterId() + "; this path is ignored");
                        continue;
                    }
                    Optional<Backend> b = backend(key, p.backend(), where, upstreamTls, backendSpec.serviceUpstream(),
                            backends, diagnostics);
                    if (b.isEmpty()) {
                        continue;
                    }
                    routes.put(conflictKey, new Route(p.path(), pathMatch, b.get().id(), source, tlsHosts.contains(host),
                            HeaderConfigMaps.attach(BackendAnnotations.attach(HeaderAnnotations.attach(
                                    AccessAnnotations.with(LimitAnnotations.attach(Canaries.withTraffic(
                                            a.spec().options(p.path(), hostAnnotations.appRoot(host)), traffics.get(key)),
                                            limitsOf.get(key)), access), headersOf.get(key)),
                                    backendSpec, errorBackend, key, p.backend().service()), configMapFields)));
                    routeOwners.put(host + " " + conflictKey, key);
                    routeTls.put(host + " " + conflictKey, upstreamTls);
                    MergedRoute merged = mergedRoute(key, p, upstreamTls, backends);
                    if (merged != null) {
                        mergedRoutes.put(host + " " + conflictKey, merged);
                    }
                }
            }

            ClientAuth clientAuth = ClientAuthTls.of(model, key, ing.annotations(), diagnostics);
            if (clientAuth != null && ing.tls().isEmpty()) {
                diagnostics.error(key, "client certificates need the hosts under spec.tls: nothing is verified");
            }
            for (IngressState.TlsEntry t : ing.tls()) {
                bindTls(model, key, t, clientAuth, tls, diagnostics);
            }
            if (clientAuth != null) {
                withdrawUnverified(key, ing, clientAuth, tls, hosts, routeOwners, diagnostics);
            }
        }

        Canaries.fold(canaries, hosts, routeTls, hostAnnotations, backends, diagnostics);
        hostAnnotations.addAliasesAndRedirects(hosts, diagnostics);
        List<VirtualHost> virtualHosts = hosts.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .sorted(Map.Entry.comparingByKey(HOST_ORDER))
                .map(e -> new VirtualHost(e.getKey(), e.getValue().values().stream().sorted(Paths.PRECEDENCE).toList()))
                .toList();
        return new RoutingTable(virtualHosts, defaultBackend, List.copyOf(backends.resolved().values()),
                List.copyOf(tls.values()), owned.stream().sorted().toList(), diagnostics.sorted());
    }

    /** What a route sends to when that is the cluster set's Service: the same from every cluster that exports it. */
    private record MergedRoute(String target, BackendTls.Spec tls) {
    }

    private static MergedRoute mergedRoute(ObjectKey ingress, IngressState.PathRule p, BackendTls.Spec tls, Backends backends) {
        if (p.backend() == null || p.backend().service() == null) {
            return null;
        }
        return backends.mergedTarget(ingress, p.backend().service()).map(t -> new MergedRoute(t, tls)).orElse(null);
    }

    /** Whether the path sends to the merged Service the winning route sends to, with the same TLS settings. */
    private static boolean sameMergedRoute(MergedRoute winner, ObjectKey ingress, IngressState.PathRule p,
                                           BackendTls.Spec tls, Backends backends) {
        return winner != null && winner.equals(mergedRoute(ingress, p, tls, backends));
    }

    /**
     * Diagnostics for the Ingress's annotations under the ingress-nginx and Signalbox prefixes that Signalbox
     * does not honour ({@link Annotations}): a warning for each unsupported or unknown one, an error for each
     * refused one. An Ingress with a refused annotation (a snippet: configuration code) is not routed at all,
     * as ingress-nginx skips it when snippets are disallowed: routing it without the code could expose what
     * the code protected. Returns whether the Ingress is refused.
     */
    private static boolean refusedByAnnotations(ObjectKey key, IngressState ing, Diagnostics diagnostics) {
        boolean refused = false;
        for (Annotations.Verdict v : Annotations.review(ing)) {
            switch (v.support()) {
                case SUPPORTED, DIFFERENT -> {
                }
                case UNSUPPORTED -> diagnostics.warning(key, "annotation " + v.annotation()
                        + " is not supported by Signalbox and is ignored: " + v.note());
                case UNKNOWN -> diagnostics.warning(key, "annotation " + v.annotation() + " is unknown: " + v.note());
                case REFUSED -> {
                    diagnostics.error(key, "annotation " + v.annotation() + " is refused: " + v.note() + "; not routed");
                    refused = true;
                }
            }
        }
        return refused;
    }

    /** Annotations that turn off the redirect of plain HTTP to HTTPS for an Ingress's TLS hosts; ours wins. */
    static final String SSL_REDIRECT_ANNOTATION = "signalbox.dev/ssl-redirect";
    static final String NGINX_SSL_REDIRECT_ANNOTATION = "nginx.ingress.kubernetes.io/ssl-redirect";
    /** Annotations that redirect plain HTTP to HTTPS for every host of an Ingress, with or without spec.tls; ours wins. */
    static final String FORCE_SSL_REDIRECT_ANNOTATION = "signalbox.dev/force-ssl-redirect";
    static final String NGINX_FORCE_SSL_REDIRECT_ANNOTATION = "nginx.ingress.kubernetes.io/force-ssl-redirect";

    /**
     * The hosts of this Ingress whose plain-HTTP requests are redirected to HTTPS: those listed under
     * spec.tls (ingress-nginx redirects by default too, with 308), unless {@value #SSL_REDIRECT_ANNOTATION}
     * (or {@value #NGINX_SSL_REDIRECT_ANNOTATION}) is "false"; and with {@value #FORCE_SSL_REDIRECT_ANNOTATION}
     * (or {@value #NGINX_FORCE_SSL_REDIRECT_ANNOTATION}) "true", every host its rules name (the catch-all too),
     * with or without a certificate here: TLS is then terminated in front, by a load balancer whose
     * X-Forwarded-Proto the proxy trusts ({@code --trusted-proxies}). Another value is an error; the hosts under
     * spec.tls stay redirected, the safe side, and a malformed force adds none.
     */
    private static java.util.Set<String> redirectedHosts(ObjectKey key, IngressState ing, Diagnostics diagnostics) {
        java.util.Set<String> hosts = new java.util.HashSet<>();
        if (flag(key, ing, SSL_REDIRECT_ANNOTATION, NGINX_SSL_REDIRECT_ANNOTATION, true, true, diagnostics,
                "HTTP to its TLS hosts is redirected to HTTPS")) {
            for (IngressState.TlsEntry t : ing.tls()) {
                for (String h : t.hosts()) {
                    String n = Paths.normalizeHost(h);
                    if (n != null) {
                        hosts.add(n);
                    }
                }
            }
        }
        if (flag(key, ing, FORCE_SSL_REDIRECT_ANNOTATION, NGINX_FORCE_SSL_REDIRECT_ANNOTATION, false, false, diagnostics,
                "HTTP is redirected to HTTPS for its TLS hosts only")) {
            for (IngressState.Rule rule : ing.rules()) {
                String n = rule.host() == null || rule.host().isEmpty() ? VirtualHost.ANY_HOST : Paths.normalizeHost(rule.host());
                if (n != null) {
                    hosts.add(n);
                }
            }
        }
        return hosts;
    }

    /**
     * A true/false annotation, ours winning over ingress-nginx's: {@code absent} when neither is set; another value
     * is an error saying what holds instead ({@code otherwise}), and gives {@code onError}.
     */
    private static boolean flag(ObjectKey key, IngressState ing, String ours, String nginx, boolean absent,
                                boolean onError, Diagnostics diagnostics, String otherwise) {
        String name = ing.annotations().containsKey(ours) ? ours : nginx;
        String value = ing.annotations().get(name);
        if (value == null) {
            return absent;
        }
        value = value.trim();
        // The same parse as every other boolean annotation; unlike them a malformed one keeps the Ingress routed,
        // on the safe side ({@code onError}).
        Boolean parsed = PathAnnotations.parseBool(value);
        if (parsed != null) {
            return parsed;
        }
        diagnostics.error(key, "annotation " + name + ": \"" + value + "\" is not true or false; " + otherwise);
        return onError;
    }

    static Optional<Backend> backend(ObjectKey ingress, BackendRef ref, String where,
                                             BackendTls.Spec upstreamTls, Backends backends, Diagnostics diagnostics) {
        return backend(ingress, ref, where, upstreamTls, false, backends, diagnostics);
    }

    /** {@link #backend(ObjectKey, BackendRef, String, BackendTls.Spec, Backends, Diagnostics)}; {@code clusterIp}: service-upstream. */
    static Optional<Backend> backend(ObjectKey ingress, BackendRef ref, String where, BackendTls.Spec upstreamTls,
                                     boolean clusterIp, Backends backends, Diagnostics diagnostics) {
        if (ref == null || (ref.service() == null && ref.resource() == null)) {
            diagnostics.error(ingress, where + ": no backend; ignored");
            return Optional.empty();
        }
        if (ref.resource() != null) {
            diagnostics.error(ingress, where + ": resource backends (" + ref.resource().kind() + " "
                    + ref.resource().name() + ") are not supported by Signalbox; ignored");
            return Optional.empty();
        }
        if (ref.service().name() == null || ref.service().name().isEmpty()) {
            diagnostics.error(ingress, where + ": backend service has no name; ignored");
            return Optional.empty();
        }
        return Optional.of(backends.resolve(ingress, ref.service(), upstreamTls, clusterIp, diagnostics));
    }

    /**
     * Fails closed: an Ingress that requires client certificates for a TLS host whose binding does not carry its
     * settings (the host's own certificate is unusable, so the default one, which asks for nothing, would serve it;
     * or an older Ingress bound the host with other settings) does not route its paths there.
     */
    private static void withdrawUnverified(ObjectKey ingress, IngressState ing, ClientAuth clientAuth,
                                           Map<String, TlsBinding> tls, Map<String, Map<String, Route>> hosts,
                                           Map<String, ObjectKey> routeOwners, Diagnostics diagnostics) {
        for (IngressState.TlsEntry t : ing.tls()) {
            for (String h : t.hosts()) {
                String host = Paths.normalizeHost(h);
                TlsBinding bound = host == null ? null : tls.get(host);
                if (host == null || bound != null && clientAuth.equals(bound.clientAuth())) {
                    continue;
                }
                Map<String, Route> routes = hosts.get(host);
                List<String> mine = routes == null ? List.of() : routes.keySet().stream()
                        .filter(conflictKey -> ingress.equals(routeOwners.get(host + " " + conflictKey))).toList();
                for (String conflictKey : mine) {
                    routes.remove(conflictKey);
                    routeOwners.remove(host + " " + conflictKey);
                }
                if (!mine.isEmpty()) {
                    diagnostics.error(ingress, "host " + host + ": client certificates are required but the host is not "
                            + "served with them (" + (bound == null ? "it has no usable certificate of its own"
                            : "an older Ingress set its TLS") + "); this Ingress's paths for it are not routed");
                }
            }
        }
    }

    private static void bindTls(ClusterModel model, ObjectKey ingress, IngressState.TlsEntry t, ClientAuth clientAuth,
                                Map<String, TlsBinding> tls, Diagnostics diagnostics) {
        if (t.secretName() == null || t.secretName().isEmpty()) {
            diagnostics.error(ingress, "tls entry for " + t.hosts() + " names no secret; served with the default certificate");
            return;
        }
        String secret = ingress.clusterId() + "/" + ingress.namespace() + "/" + t.secretName();
        StoredObject s = model.get(new ObjectKey(ingress.clusterId(), Kind.SECRET, ingress.namespace(), t.secretName()));
        if (s == null) {
            diagnostics.error(ingress, "TLS secret " + ingress.namespace() + "/" + t.secretName()
                    + " does not exist (or is not of type kubernetes.io/tls); " + t.hosts()
                    + " served with the default certificate");
            return;
        }
        TlsSecretState state = (TlsSecretState) s.state();
        String name = ingress.namespace() + "/" + t.secretName();
        if (state.certificatePem() == null || state.certificatePem().isBlank()
                || state.privateKey() == null && state.keyNotPublished() == null) {
            diagnostics.error(ingress, "TLS secret " + name + " lacks tls.crt or tls.key; " + t.hosts()
                    + " served with the default certificate");
            return;
        }
        if (state.privateKey() == null) {
            diagnostics.error(ingress, "TLS secret " + name + ": " + state.keyNotPublished() + "; " + t.hosts()
                    + " served with the default certificate");
            return;
        }
        Certificates.Parsed cert = Certificates.parse(state.certificatePem());
        if (cert instanceof Certificates.Unreadable u) {
            diagnostics.error(ingress, "TLS secret " + name + ": tls.crt does not parse (" + u.reason() + "); "
                    + t.hosts() + " served with the default certificate");
            return;
        }
        Certificates.Leaf leaf = (Certificates.Leaf) cert;
        for (String h : t.hosts()) {
            String host = Paths.normalizeHost(h);
            if (host == null) {
                diagnostics.error(ingress, "tls host \"" + h + "\" is not a valid host name; ignored");
                continue;
            }
            if (!leaf.covers(host)) {
                diagnostics.error(ingress, "TLS secret " + name + ": the certificate does not cover host " + host
                        + " (it names " + leaf.names() + "); served with the default certificate");
                continue;
            }
            TlsBinding existing = tls.get(host);
            if (existing != null) {
                if (!existing.secret().equals(secret)) {
                    diagnostics.warning(ingress, "TLS for host " + host + " is already bound to secret "
                            + existing.secret() + " by an older Ingress; " + secret + " ignored for it");
                } else if (!java.util.Objects.equals(existing.clientAuth(), clientAuth)) {
                    diagnostics.warning(ingress, "client certificates for host " + host + " are already set by an "
                            + "older Ingress; this Ingress's auth-tls annotations are ignored for it");
                }
                continue;
            }
            tls.put(host, new TlsBinding(host, secret, state.certificatePem(), state.privateKey(), clientAuth));
        }
    }

    /** Exact hosts, then wildcards, then the any-host entry; by name within each. */
    private static final Comparator<String> HOST_ORDER = Comparator
            .comparingInt((String h) -> h.equals(VirtualHost.ANY_HOST) ? 2 : h.startsWith("*.") ? 1 : 0)
            .thenComparing(Comparator.naturalOrder());
}
