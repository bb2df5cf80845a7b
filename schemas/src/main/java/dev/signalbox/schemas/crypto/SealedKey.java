package dev.signalbox.schemas.crypto;

/**
 * A private key as it travels through Kafka: encrypted by the watcher, opened only by proxies. The
 * key-encryption key never enters Kafka; {@code keyId} names which one of a {@link KeyRing} sealed it, so
 * keys can rotate while older records stay readable.
 *
 * @param keyId      the id of the key-encryption key that sealed it
 * @param algorithm  always {@link KeyRing#ALGORITHM} in this format version
 * @param nonce      the 12-byte GCM nonce, base64
 * @param ciphertext the encrypted PEM text followed by the 16-byte GCM tag, base64
 */
public record SealedKey(String keyId, String algorithm, String nonce, String ciphertext) {
}
