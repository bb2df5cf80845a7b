package dev.signalbox.compiler.compile;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.PathMatch;
import dev.signalbox.schemas.snapshot.Route;
import dev.signalbox.schemas.snapshot.RouteOptions;
import dev.signalbox.schemas.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The path annotations whose effect reaches beyond their own Ingress to its hosts, as in ingress-nginx, where they
 * act on the nginx {@code server} every Ingress of a host shares (issue 18):
 * <ul>
 * <li>{@code use-regex}, or a {@code rewrite-target} that rewrites, on one Ingress makes every path of its hosts, of
 * every Ingress and of every pathType, a regular expression ({@code enforceRegexModifier});
 * <li>{@code app-root} answers {@code /} of the whole host (its {@code if ($uri = /)} is in the server block); the
 * oldest Ingress's value wins;
 * <li>{@code server-alias} gives the first host of the Ingress more names, with all of that host's routes, unless a
 * name is a host of its own or an older alias;
 * <li>{@code from-to-www-redirect} adds the host's www. counterpart (or the name without www.) as a host that
 * redirects there with 308, unless it is a host already.
 * </ul>
 * Pure; Ingresses are given oldest first, so every "first" above is the oldest.
 */
final class HostAnnotations {
    /** An Ingress that is ours, not refused, with valid path annotations. */
    record Accepted(ObjectKey key, IngressState state, PathAnnotations.Spec spec) {
    }

    private final List<Accepted> ingresses;
    private final Set<String> regexHosts;
    private final Map<String, String> appRoots;

    private HostAnnotations(List<Accepted> ingresses, Set<String> regexHosts, Map<String, String> appRoots) {
        this.ingresses = ingresses;
        this.regexHosts = regexHosts;
        this.appRoots = appRoots;
    }

    static HostAnnotations of(List<Accepted> ingresses, Diagnostics diagnostics) {
        Set<String> regex = new HashSet<>();
        Map<String, String> appRoots = new HashMap<>();
        Map<String, ObjectKey> appRootOwners = new HashMap<>();
        for (Accepted a : ingresses) {
            for (IngressState.Rule rule : a.state().rules()) {
                String host = host(rule);
                if (host == null) {
                    continue;
                }
                for (IngressState.PathRule p : rule.paths()) {
                    if (a.spec().forcesRegex(p.path())) {
                        regex.add(host);
                    }
                }
                String root = a.spec().appRoot();
                if (root == null) {
                    continue;
                }
                ObjectKey owner = appRootOwners.putIfAbsent(host, a.key());
                if (owner == null) {
                    appRoots.put(host, root);
                } else if (!owner.equals(a.key()) && !appRoots.get(host).equals(root)) {
                    diagnostics.warning(a.key(), "app-root \"" + root + "\" for host " + host + " ignored: the older "
                            + "Ingress " + owner.shortName() + " in cluster " + owner.clusterId() + " sets \""
                            + appRoots.get(host) + "\"");
                }
            }
        }
        return new HostAnnotations(List.copyOf(ingresses), regex, appRoots);
    }

    /** The rule's host as routes are keyed by, {@link VirtualHost#ANY_HOST} without one, or null when invalid. */
    static String host(IngressState.Rule rule) {
        return rule.host() == null || rule.host().isEmpty() ? VirtualHost.ANY_HOST : Paths.normalizeHost(rule.host());
    }

    /** Whether the paths of this host are regular expressions. */
    boolean regex(String host) {
        return regexHosts.contains(host);
    }

    /** The host's app-root, or null. */
    String appRoot(String host) {
        return appRoots.get(host);
    }

    /** Why {@code path} cannot be a regular expression here (RE2 syntax: no backreferences or lookaround), or null. */
    static String invalidRegex(String path) {
        try {
            Pattern.compile(path, Pattern.CASE_INSENSITIVE);
            return null;
        } catch (PatternSyntaxException e) {
            return "path \"" + path + "\" is not a regular expression Signalbox accepts (RE2 syntax: no "
                    + "backreferences or lookaround): " + e.getDescription();
        }
    }

    /**
     * Adds the hosts that server-alias and from-to-www-redirect name to {@code hosts} (host, then conflict key, then
     * route), once every Ingress's own routes are in.
     */
    void addAliasesAndRedirects(Map<String, Map<String, Route>> hosts, Diagnostics diagnostics) {
        Map<String, Map<String, Route>> added = new TreeMap<>();
        for (Accepted a : ingresses) {
            String first = firstHost(a.state());
            for (String alias : a.spec().aliases()) {
                if (first == null) {
                    diagnostics.warning(a.key(), "server-alias " + alias + " ignored: the Ingress has no rule with a host");
                } else if (hosts.containsKey(alias) || added.containsKey(alias)) {
                    diagnostics.warning(a.key(), "server-alias " + alias + " ignored: it is already a host");
                } else if (hosts.containsKey(first)) {
                    added.put(alias, hosts.get(first));
                }
            }
        }
        hosts.putAll(added);
        for (Accepted a : ingresses) {
            if (!a.spec().fromToWww()) {
                continue;
            }
            for (IngressState.Rule rule : a.state().rules()) {
                String to = host(rule);
                if (to == null || to.equals(VirtualHost.ANY_HOST) || to.startsWith("*.") || !hosts.containsKey(to)
                        || hosts.get(to).isEmpty()) {
                    continue;
                }
                String from = to.startsWith("www.") ? to.substring(4) : "www." + to;
                if (hosts.containsKey(from)) {
                    if (!redirectsTo(hosts.get(from), to)) {
                        diagnostics.warning(a.key(), "from-to-www-redirect from " + from + " to " + to
                                + " not made: " + from + " is a host of its own");
                    }
                    continue;
                }
                // The redirect is answered by the proxy; the backend is named only because every route has one.
                String backend = hosts.get(to).values().iterator().next().backend();
                Map<String, Route> redirect = new TreeMap<>();
                redirect.put(PathMatch.PREFIX + " /", new Route("/", PathMatch.PREFIX, backend,
                        a.key().clusterId() + "/" + a.key().shortName(), false, new RouteOptions(null, null,
                        new RouteOptions.Redirect(308, to, RouteOptions.Redirect.Kind.HOST), null, null, null, null, null, null)));
                hosts.put(from, redirect);
            }
        }
    }

    private static boolean redirectsTo(Map<String, Route> routes, String to) {
        return routes.values().stream().anyMatch(r -> r.options() != null && r.options().redirect() != null
                && r.options().redirect().kind() == RouteOptions.Redirect.Kind.HOST && r.options().redirect().location().equals(to));
    }

    private static String firstHost(IngressState ing) {
        List<String> named = new ArrayList<>();
        for (IngressState.Rule rule : ing.rules()) {
            String h = host(rule);
            if (h != null && !h.equals(VirtualHost.ANY_HOST)) {
                named.add(h);
            }
        }
        return named.isEmpty() ? null : named.get(0);
    }
}
