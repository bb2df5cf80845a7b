package dev.signalbox.schemas.codec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256, the one digest Signalbox uses (content hashes, derived names and ids, cache keys). Every Java platform
 * must provide it ({@link MessageDigest}'s required algorithms), so its absence is an error of the platform, not a
 * case for callers: this is the one place that says so.
 */
public final class Sha256 {
    private Sha256() {
    }

    /** A new digest to update piece by piece; not thread-safe, like every {@link MessageDigest}. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the Java platform must provide SHA-256", e);
        }
    }

    /** The SHA-256 of {@code bytes}. */
    public static byte[] of(byte[] bytes) {
        return newDigest().digest(bytes);
    }

    /** The SHA-256 of {@code text}'s UTF-8 bytes. */
    public static byte[] of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }
}
