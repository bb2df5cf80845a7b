package dev.signalbox.proxy.accesslog;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.signalbox.schemas.codec.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One access log line: what a request was and how it was answered. Built on the event loop when the exchange
 * completes (plain fields, no formatting), written as JSON by the log's own thread ({@link #json}).
 *
 * @param startMillis      when the request's head arrived, epoch milliseconds
 * @param durationNanos    from the head to the last byte of the response written
 * @param upstream         the endpoint tried last (address:port), or null when the proxy answered itself
 * @param upstreamNanos    from sending the head to the backend to the end of its response; -1 without one
 * @param route            the matched rule (host/path), or (none)
 * @param ingress          the Ingress of that rule (cluster/namespace/name), or null
 */
public record AccessEntry(long startMillis, String client, String method, String host, String path, int status,
                          long bytesIn, long bytesOut, long durationNanos, String upstream, long upstreamNanos,
                          String route, String ingress, long version, String requestId) {

    /** One line of JSON, without the newline; field names as in the README's access log section. */
    public String json() {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(startMillis).toString());
            g.writeStringField("client", client);
            g.writeStringField("method", method);
            g.writeStringField("host", host);
            g.writeStringField("path", path);
            g.writeNumberField("status", status);
            g.writeNumberField("bytes_in", bytesIn);
            g.writeNumberField("bytes_out", bytesOut);
            g.writeNumberField("duration_s", durationNanos / 1e9);
            g.writeStringField("upstream", upstream);
            if (upstreamNanos >= 0) {
                g.writeNumberField("upstream_duration_s", upstreamNanos / 1e9);
            } else {
                g.writeNullField("upstream_duration_s");
            }
            g.writeStringField("route", route);
            g.writeStringField("ingress", ingress);
            g.writeNumberField("version", version);
            g.writeStringField("request_id", requestId);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
