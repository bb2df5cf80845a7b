package dev.signalbox.compiler.compile;

import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.compiler.model.StoredObject;
import dev.signalbox.schemas.event.ConfigMapState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.snapshot.HeaderOptions;
import dev.signalbox.schemas.snapshot.RouteAccess;
import dev.signalbox.schemas.snapshot.RouteOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The header fields an Ingress takes from ConfigMaps of its namespace (issue 18), resolved against the model:
 * <ul>
 *   <li>{@code custom-headers} ({@value Annotations#SIGNALBOX} first, then {@value Annotations#NGINX}):
 *       {@code namespace/name} of a ConfigMap whose data are response fields, set on every answer of the Ingress's
 *       routes (ingress-nginx's {@code more_set_headers}, customheaders/main.go). As there, a ConfigMap that cannot be
 *       found, a name outside {@code [A-Za-z0-9_-]+} or an empty value or one with characters outside printable ASCII
 *       denies the Ingress's paths (503, "location denied"); here with an error diagnostic saying why. ingress-nginx
 *       also denies a name its controller ConfigMap's {@code global-allowed-response-headers} does not list; Signalbox
 *       has no such list and takes every name but those the proxy owns.</li>
 *   <li>{@code signalbox.dev/proxy-set-headers}: {@code namespace/name} of a ConfigMap whose data are request fields
 *       sent to the backends, replacing the client's (ingress-nginx's controller-wide {@code proxy-set-headers}, which
 *       has no per-Ingress annotation there). As ingress-nginx does with its own, a missing ConfigMap sets nothing,
 *       with a warning; unusable fields deny the paths as for {@code custom-headers}. Values are sent as written:
 *       nginx variables ({@code $remote_addr}) are not expanded (a warning).</li>
 * </ul>
 * Fields the proxy owns (framing, connection, Host, the identity fields X-Forwarded-*, X-Real-IP, ssl-client-*)
 * are refused with an error, and bounds keep a ConfigMap from swelling every route: {@value #MAX_FIELDS} fields,
 * names of {@value #MAX_NAME} and values of {@value #MAX_VALUE} characters at most. Pure.
 */
final class HeaderConfigMaps {
    static final String CUSTOM_HEADERS = ConfigMapState.CUSTOM_HEADERS;
    static final String PROXY_SET_HEADERS = Annotations.SIGNALBOX + ConfigMapState.PROXY_SET_HEADERS;
    static final int MAX_FIELDS = 64;
    static final int MAX_NAME = 256;
    static final int MAX_VALUE = 4096;
    /** ingress-nginx's headerRegexp (customheaders/main.go). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    /** ingress-nginx's valueRegexp spelled as a range: printable ASCII with spaces, nothing else, not empty. */
    private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e]+");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?[A-Za-z_]");

    /**
     * What the ConfigMaps give one Ingress.
     *
     * @param response the {@code custom-headers} fields, by name
     * @param request  the {@code proxy-set-headers} fields, by name
     * @param denied   why the Ingress's paths answer 503, or null
     */
    record Fields(List<HeaderOptions.Field> response, List<HeaderOptions.Field> request, String denied) {
        static final Fields NONE = new Fields(List.of(), List.of(), null);
    }

    private HeaderConfigMaps() {
    }

    /** The fields the ConfigMaps {@code ingress}'s annotations name give it ({@link Fields#NONE} without any). */
    static Fields of(ClusterModel model, ObjectKey ingress, Map<String, String> annotations, Diagnostics diagnostics) {
        List<String> problems = new ArrayList<>();
        List<HeaderOptions.Field> response = fields(model, ingress, annotations, true, problems, diagnostics);
        List<HeaderOptions.Field> request = fields(model, ingress, annotations, false, problems, diagnostics);
        for (String p : problems) {
            diagnostics.error(ingress, p + "; every path of the Ingress answers 503 until it is corrected");
        }
        if (!problems.isEmpty()) {
            return new Fields(List.of(), List.of(), String.join("; ", problems));
        }
        return response.isEmpty() && request.isEmpty() ? Fields.NONE : new Fields(response, request, null);
    }

    /**
     * {@code options} with the ConfigMaps' fields: the response fields before those of
     * {@code signalbox.dev/response-headers}, which win a name both set; the request fields; a denial as access's.
     */
    static RouteOptions attach(RouteOptions options, Fields fields) {
        if (fields == null || fields.equals(Fields.NONE)) {
            return options;
        }
        RouteOptions o = options == null ? new RouteOptions(null, null, null, null, null, null, null, null, null) : options;
        RouteAccess access = o.access();
        if (fields.denied() != null) {
            access = access == null ? new RouteAccess(List.of(), List.of(), null, null, fields.denied())
                    : new RouteAccess(access.allowSourceRanges(), access.denySourceRanges(), access.basicAuth(),
                            access.externalAuth(), access.denied() == null ? fields.denied()
                                    : access.denied() + "; " + fields.denied());
        }
        HeaderOptions h = o.headers() == null ? HeaderAnnotations.NONE : o.headers();
        Set<String> written = new TreeSet<>();
        h.response().forEach(f -> written.add(f.name().toLowerCase(Locale.ROOT)));
        List<HeaderOptions.Field> response = new ArrayList<>();
        fields.response().stream().filter(f -> !written.contains(f.name().toLowerCase(Locale.ROOT))).forEach(response::add);
        response.addAll(h.response());
        HeaderOptions headers = new HeaderOptions(h.cors(), response, fields.request());
        return new RouteOptions(o.rewriteTarget(), o.forwardedPrefix(), o.redirect(), o.appRoot(), o.limits(),
                o.traffic(), access, HeaderOptions.orNull(headers), o.errors());
    }

    /** The fields of the ConfigMap one annotation names; problems go to {@code problems}. */
    private static List<HeaderOptions.Field> fields(ClusterModel model, ObjectKey ingress, Map<String, String> annotations,
                                                    boolean response, List<String> problems, Diagnostics diagnostics) {
        String annotation = response ? name(annotations) : PROXY_SET_HEADERS;
        String ref = ConfigMapState.reference(annotations, response ? CUSTOM_HEADERS : ConfigMapState.PROXY_SET_HEADERS,
                response);
        if (ref == null) {
            return List.of();
        }
        String what = "annotation " + annotation + ": ";
        String name = ConfigMapState.configMapName(ingress.namespace(), ref);
        if (name == null) {
            problems.add(what + "\"" + HeaderAnnotations.printable(ref) + "\" is not " + ingress.namespace()
                    + "/name of a ConfigMap of the Ingress's namespace (ConfigMaps of other namespaces are not read)");
            return List.of();
        }
        String where = "ConfigMap " + ingress.namespace() + "/" + name + " (" + annotation + ")";
        StoredObject o = model.get(new ObjectKey(ingress.clusterId(), Kind.CONFIG_MAP, ingress.namespace(), name));
        if (o == null || !(o.state() instanceof ConfigMapState cm)) {
            if (response) {
                problems.add(where + " does not exist");
            } else {
                diagnostics.warning(ingress, where + " does not exist: no field is set on the requests sent to the "
                        + "backends, as ingress-nginx does when its proxy-set-headers ConfigMap is missing");
            }
            return List.of();
        }
        if (cm.notPublished() != null) {
            problems.add(where + " was not published: " + cm.notPublished());
            return List.of();
        }
        if (cm.data().size() > MAX_FIELDS) {
            problems.add(where + " has " + cm.data().size() + " fields, more than " + MAX_FIELDS);
            return List.of();
        }
        List<HeaderOptions.Field> out = new ArrayList<>();
        for (Map.Entry<String, String> e : cm.data().entrySet()) {
            String field = e.getKey();
            String value = e.getValue().strip();
            String bad = null;
            if (field.length() > MAX_NAME || !NAME.matcher(field).matches()) {
                bad = "has a field name \"" + HeaderAnnotations.printable(truncated(field))
                        + "\" that is not letters, digits, '-' and '_' (at most " + MAX_NAME + ")";
            } else if (HeaderAnnotations.refused(field)) {
                bad = "sets " + field + ", which only the proxy writes (framing, connection, Host and identity fields "
                        + "such as X-Forwarded-*, X-Real-IP and ssl-client-*)";
            } else if (value.length() > MAX_VALUE || !VALUE.matcher(value).matches()) {
                bad = "has a value for " + field + " that is empty, longer than " + MAX_VALUE + " characters or holds "
                        + "characters a header cannot carry (CR, LF, NUL, other controls, non-ASCII): \""
                        + HeaderAnnotations.printable(truncated(value)) + "\"";
            }
            if (bad != null) {
                problems.add(where + " " + bad);
                return List.of();
            }
            if (!response && VARIABLE.matcher(value).find()) {
                diagnostics.warning(ingress, where + ": the value of " + field + " is sent as written; nginx variables "
                        + "(\"" + HeaderAnnotations.printable(truncated(value)) + "\") are not expanded");
            }
            out.add(new HeaderOptions.Field(field, value));
        }
        return List.copyOf(out);
    }

    /** The full name under which custom-headers is set (ours first). */
    private static String name(Map<String, String> annotations) {
        String ours = annotations.get(Annotations.SIGNALBOX + CUSTOM_HEADERS);
        return ours != null && !ours.isBlank() ? Annotations.SIGNALBOX + CUSTOM_HEADERS : Annotations.NGINX + CUSTOM_HEADERS;
    }

    private static String truncated(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
