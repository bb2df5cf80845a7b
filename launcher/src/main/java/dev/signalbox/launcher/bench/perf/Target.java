package dev.signalbox.launcher.bench.perf;

/** What a case is run against: Signalbox two ways, and the two proxies users would pick instead. */
public enum Target {
    NGINX("nginx", true),
    HAPROXY("haproxy", true),
    SIGNALBOX_PROXY("signalbox proxy", false),
    SIGNALBOX_LOCAL("signalbox local", false);

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
}
