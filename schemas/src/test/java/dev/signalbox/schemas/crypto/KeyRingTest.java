package dev.signalbox.schemas.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingTest {
    private static final byte[] PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final String CTX = "east/shop/shop-tls";

    private static byte[] key(int fill) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) fill);
        return k;
    }

    private static final KeyRing OLD = KeyRing.of(Map.of("2026-01", key(1)), null);
    private static final KeyRing ROTATED = KeyRing.of(Map.of("2026-01", key(1), "2026-11", key(2)), null);

    @Test
    void aSealedKeyOpensToItsPlaintext() throws Exception {
        assertArrayEquals(PEM, OLD.open(OLD.seal(PEM, CTX), CTX));
    }

    @Test
    void theCiphertextDoesNotContainThePlaintext() {
        String sealed = OLD.seal(PEM, CTX).toString();
        assertFalse(sealed.contains("PRIVATE KEY") || sealed.contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), sealed);
    }

    @Test
    void sealingTheSameKeyTwiceGivesTheSameRecord() {
        assertEquals(OLD.seal(PEM, CTX), OLD.seal(PEM, CTX));
    }

    @Test
    void sealingForAnotherSecretGivesAnotherNonce() {
        assertNotEquals(OLD.seal(PEM, CTX).nonce(), OLD.seal(PEM, "east/shop/other-tls").nonce());
    }

    @Test
    void aSealedKeyCopiedOntoAnotherSecretDoesNotOpen() {
        SealedKey s = OLD.seal(PEM, CTX);
        assertThrows(GeneralSecurityException.class, () -> OLD.open(s, "east/shop/other-tls"));
    }

    @Test
    void anAlteredCiphertextDoesNotOpen() {
        SealedKey s = OLD.seal(PEM, CTX);
        byte[] c = Base64.getDecoder().decode(s.ciphertext());
        c[3] ^= 1;
        SealedKey altered = new SealedKey(s.keyId(), s.algorithm(), s.nonce(), Base64.getEncoder().encodeToString(c));
        assertThrows(GeneralSecurityException.class, () -> OLD.open(altered, CTX));
    }

    @Test
    void aRecordRelabelledWithAnotherKeyIdDoesNotOpen() {
        SealedKey s = ROTATED.seal(PEM, CTX);
        SealedKey relabelled = new SealedKey("2026-01", s.algorithm(), s.nonce(), s.ciphertext());
        assertThrows(GeneralSecurityException.class, () -> ROTATED.open(relabelled, CTX));
    }

    @Test
    void aNodeWithoutTheNamedKeySaysWhichKeyIsMissing() {
        SealedKey s = ROTATED.seal(PEM, CTX);
        KeyRing.UnknownKeyException e = assertThrows(KeyRing.UnknownKeyException.class, () -> OLD.open(s, CTX));
        assertEquals("sealed with key \"2026-11\", which this node does not have (it has [2026-01])", e.getMessage());
    }

    @Test
    void afterRotationRecordsSealedWithTheOldKeyStillOpen() throws Exception {
        assertArrayEquals(PEM, ROTATED.open(OLD.seal(PEM, CTX), CTX));
    }

    @Test
    void theActiveKeyIsTheGreatestIdUnlessNamed() {
        assertEquals("2026-11", ROTATED.seal(PEM, CTX).keyId());
    }

    @Test
    void aNamedActiveKeySeals() {
        assertEquals("2026-01", KeyRing.of(Map.of("2026-01", key(1), "2026-11", key(2)), "2026-01").seal(PEM, CTX).keyId());
    }

    @Test
    void anActiveKeyThatIsNotInTheRingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> KeyRing.of(Map.of("a", key(1)), "b"));
    }

    @Test
    void aKeyThatIsNot32BytesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> KeyRing.of(Map.of("a", new byte[16]), null));
    }

    @Test
    void anEmptyRingCannotSeal() {
        assertThrows(IllegalStateException.class, () -> KeyRing.empty().seal(PEM, CTX));
    }

    @Test
    void theEnvironmentFormListsIdsAndBase64Keys() throws Exception {
        String spec = "2026-01=" + Base64.getEncoder().encodeToString(key(1)) + ", 2026-11=" + Base64.getEncoder().encodeToString(key(2));
        assertArrayEquals(PEM, KeyRing.parse(spec, null).open(ROTATED.seal(PEM, CTX), CTX));
    }

    @Test
    void aDirectoryHoldsOneKeyPerFileAndSkipsMountBookkeeping(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("2026-11"), Base64.getEncoder().encodeToString(key(2)) + "\n");
        Files.createDirectories(dir.resolve("..2026_11_28_10_00_00.123"));
        Files.writeString(dir.resolve(".hidden"), "not a key");
        KeyRing ring = KeyRing.fromDirectory(dir, null);
        assertEquals(java.util.Set.of("2026-11"), ring.keyIds());
    }

    @Test
    void aGeneratedKeyIs32RandomBytes() {
        assertNotEquals(KeyRing.generateKey(), KeyRing.generateKey());
        assertEquals(32, Base64.getDecoder().decode(KeyRing.generateKey()).length);
    }
}
