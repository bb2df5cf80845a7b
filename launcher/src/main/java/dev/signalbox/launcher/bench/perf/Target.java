package dev.signalbox.launcher.bench.perf;

/**
 * What a case is run against: Signalbox three ways, and the two proxies users would pick instead. The third way,
 * {@link #SIGNALBOX_FEATURES}, is local mode whose table also holds many other Ingresses with basic auth, auth-url,
 * CORS and rate limits ({@link FeatureTable}), loaded on the same plain route: issue 18's "rate limiting, auth and CORS
 * must not lower the proxy's throughput on routes that do not use them", measured against {@link #SIGNALBOX_LOCAL}.
 */
public enum Target {
    NGINX("nginx", true),
    HAPROXY("haproxy", true),
    SIGNALBOX_PROXY("signalbox proxy", false),
    SIGNALBOX_LOCAL("signalbox local", false),
    SIGNALBOX_FEATURES("signalbox features", false);

    private final String label;
    private final boolean anchor;

    Target(String label, boolean anchor) {
        this.label = label;
        this.anchor = anchor;
    }

    public String label() {
        return label;
    }

    /** An anchor is a proxy Signalbox is compared with. */
    public boolean anchor() {
        return anchor;
    }

    /** The target this one is compared with instead of the better anchor, or null. */
    public Target baseline() {
        return this == SIGNALBOX_FEATURES ? SIGNALBOX_LOCAL : null;
    }

    /** The name on the command line ({@code --targets}). */
    public String option() {
        return label.replace(' ', '-');
    }
}
