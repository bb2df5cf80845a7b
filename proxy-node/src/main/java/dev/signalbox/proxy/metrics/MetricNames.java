package dev.signalbox.proxy.metrics;

/**
 * Dropwizard metric names that carry Prometheus labels: {@code base{k="v",...}}, label values escaped as
 * the exposition format requires, so {@link PrometheusFormat} can print them as they are.
 */
public final class MetricNames {
    private MetricNames() {
    }

    public static String name(String base, String... labelPairs) {
        if (labelPairs.length == 0) {
            return base;
        }
        StringBuilder sb = new StringBuilder(base).append('{');
        for (int i = 0; i + 1 < labelPairs.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(labelPairs[i]).append("=\"").append(escape(labelPairs[i + 1])).append('"');
        }
        return sb.append('}').toString();
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String base(String name) {
        int brace = name.indexOf('{');
        return brace < 0 ? name : name.substring(0, brace);
    }

    /** The labels inside the braces, without them; empty when there are none. */
    static String labels(String name) {
        int brace = name.indexOf('{');
        return brace < 0 ? "" : name.substring(brace + 1, name.length() - 1);
    }
}
