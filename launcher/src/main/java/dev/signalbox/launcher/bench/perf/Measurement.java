package dev.signalbox.launcher.bench.perf;

/** One run of one case against one target: what the load generator saw and the CPU the proxy used meanwhile. */
public record Measurement(LoadResult load, double proxyCpuSeconds) {
    /** The proxy's CPU time per completed request, in microseconds: the steadiest figure on a shared machine. */
    public double cpuMicrosPerRequest() {
        return load.requests() == 0 ? Double.NaN : proxyCpuSeconds * 1e6 / load.requests();
    }
}
