package dev.signalbox.schemas.snapshot;

/** One address and port a backend sends to (an IPv4 or IPv6 literal, or a DNS name for ExternalName). */
public record Endpoint(String address, int port) {
}
