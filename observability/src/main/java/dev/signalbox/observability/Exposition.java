package dev.signalbox.observability;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A registry's metrics in the Prometheus text exposition format 0.0.4, written by the Prometheus Java client's
 * own writer (families sorted by name, HELP and TYPE lines, label values escaped, histograms cumulative). Every
 * component's /metrics goes through here. Thread-safe.
 */
public final class Exposition {
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private Exposition() {
    }

    public static byte[] bytes(PrometheusRegistry registry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
        try {
            // Signalbox's names are valid legacy Prometheus names: no escaping happens.
            WRITER.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String text(PrometheusRegistry registry) {
        return new String(bytes(registry), java.nio.charset.StandardCharsets.UTF_8);
    }
}
