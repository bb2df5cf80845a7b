package dev.signalbox.schemas.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key-encryption keys that seal TLS private keys before they enter Kafka (AES-256-GCM), by id. The
 * watcher seals with the active key; proxies open with whichever key a record names. Keys live outside
 * Kafka: a directory with one file per key (a mounted Kubernetes Secret) or an environment variable.
 *
 * <p>Sealing is deterministic: the nonce is an HMAC of the context and the plaintext under a subkey of the
 * key (the synthetic-IV construction of RFC 5297 and AES-GCM-SIV), so the same key material sealed twice
 * gives the same record. The watcher compares converted states to tell real changes from noise and the
 * compiler must give byte-identical snapshots for the same events; random nonces would break both. The
 * only thing this reveals is that two sealed keys are equal, which their certificates say anyway.
 *
 * <p>The context (the Secret's {@code cluster/namespace/name}), the key id and the algorithm are
 * authenticated with the ciphertext, so a sealed key copied onto another Secret does not open.
 */
public final class KeyRing {
    public static final String ALGORITHM = "AES-256-GCM";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final KeyRing EMPTY = new KeyRing(new TreeMap<>(), null);

    private final TreeMap<String, byte[]> keys;
    private final String activeId;

    private KeyRing(TreeMap<String, byte[]> keys, String activeId) {
        this.keys = keys;
        this.activeId = activeId;
    }

    /** No keys: nothing can be sealed or opened. */
    public static KeyRing empty() {
        return EMPTY;
    }

    /**
     * @param keys     32-byte keys by id
     * @param activeId the id new records are sealed with, or null for the greatest id (so ids that sort by
     *                 date, such as {@code 2026-11-28}, rotate by adding a file)
     */
    public static KeyRing of(Map<String, byte[]> keys, String activeId) {
        TreeMap<String, byte[]> copy = new TreeMap<>();
        keys.forEach((id, key) -> {
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException("key id \"" + id + "\" must match " + ID.pattern());
            }
            if (key.length != KEY_BYTES) {
                throw new IllegalArgumentException("key \"" + id + "\" has " + key.length + " bytes; AES-256 needs "
                        + KEY_BYTES);
            }
            copy.put(id, key.clone());
        });
        if (copy.isEmpty()) {
            if (activeId != null) {
                throw new IllegalArgumentException("active key \"" + activeId + "\" given but no keys");
            }
            return EMPTY;
        }
        String active = activeId != null ? activeId : copy.lastKey();
        if (!copy.containsKey(active)) {
            throw new IllegalArgumentException("active key \"" + active + "\" is not among " + copy.keySet());
        }
        return new KeyRing(copy, active);
    }

    /**
     * One key per regular file of {@code dir}, named by its id, holding the key in base64. Names starting
     * with a dot are skipped: a mounted Kubernetes Secret keeps its bookkeeping in {@code ..data}.
     */
    public static KeyRing fromDirectory(Path dir, String activeId) throws IOException {
        TreeMap<String, byte[]> keys = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String id = f.getFileName().toString();
                if (!id.startsWith(".") && Files.isRegularFile(f)) {
                    keys.put(id, decode(id, Files.readString(f, StandardCharsets.US_ASCII)));
                }
            }
        }
        if (keys.isEmpty()) {
            throw new IOException("no key files in " + dir);
        }
        return of(keys, activeId);
    }

    /** Keys written as {@code id=base64[,id=base64...]}, the form of the environment variable. */
    public static KeyRing parse(String spec, String activeId) {
        TreeMap<String, byte[]> keys = new TreeMap<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected id=base64-key, got \"" + redact(p) + "\"");
            }
            String id = p.substring(0, eq);
            keys.put(id, decode(id, p.substring(eq + 1)));
        }
        return of(keys, activeId);
    }

    /** The environment variable holding keys as {@code id=base64[,id=base64...]}. */
    public static final String ENV = "SIGNALBOX_ENCRYPTION_KEYS";

    /**
     * The keys a command line asks for: the directory of {@code --encryption-keys} when given, else the value
     * of the {@link #ENV} environment variable (which the command line reads) when set, else none.
     */
    public static KeyRing configured(Path dir, String env, String activeId) throws IOException {
        if (dir != null) {
            return fromDirectory(dir, activeId);
        }
        return env == null || env.isBlank() ? of(Map.of(), activeId) : parse(env, activeId);
    }

    /** A new random 32-byte key, base64, for a key file. */
    public static String generateKey() {
        byte[] k = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public Optional<String> activeKeyId() {
        return Optional.ofNullable(activeId);
    }

    public Set<String> keyIds() {
        return Collections.unmodifiableSet(keys.keySet());
    }

    /** Seals {@code plaintext} for {@code context} with the active key. */
    public SealedKey seal(byte[] plaintext, String context) {
        if (activeId == null) {
            throw new IllegalStateException("no key-encryption key configured");
        }
        byte[] key = keys.get(activeId);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(subkey(key, "signalbox nonce"), "HmacSHA256"));
            mac.update(context.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            byte[] nonce = Arrays.copyOf(mac.doFinal(plaintext), NONCE_BYTES);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(activeId, context));
            byte[] sealed = c.doFinal(plaintext);
            Base64.Encoder b64 = Base64.getEncoder();
            return new SealedKey(activeId, ALGORITHM, b64.encodeToString(nonce), b64.encodeToString(sealed));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every Java 17 runtime", e);
        }
    }

    /**
     * The plaintext of {@code sealed}.
     *
     * @throws UnknownKeyException      when this ring does not hold the key the record names
     * @throws GeneralSecurityException when the record was altered, or sealed for another context
     */
    public byte[] open(SealedKey sealed, String context) throws GeneralSecurityException {
        if (!ALGORITHM.equals(sealed.algorithm())) {
            throw new GeneralSecurityException("unsupported algorithm " + sealed.algorithm());
        }
        byte[] key = keys.get(sealed.keyId());
        if (key == null) {
            throw new UnknownKeyException(sealed.keyId(), keys.keySet());
        }
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            byte[] nonce = b64.decode(sealed.nonce());
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(sealed.keyId(), context));
            return c.doFinal(b64.decode(sealed.ciphertext()));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("sealed key is not valid base64", e);
        }
    }

    /** The record names a key this ring does not hold. */
    public static final class UnknownKeyException extends GeneralSecurityException {
        public UnknownKeyException(String keyId, Set<String> known) {
            super("sealed with key \"" + keyId + "\", which this node does not have (it has " + known + ")");
        }
    }

    private static byte[] aad(String keyId, String context) {
        return (ALGORITHM + "\n" + keyId + "\n" + context).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] subkey(byte[] key, String label) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] decode(String id, String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key \"" + id + "\" is not base64", e);
        }
    }

    private static String redact(String s) {
        return s.length() <= 4 ? "…" : s.substring(0, 4) + "…";
    }

    @Override
    public String toString() {
        return "KeyRing" + keys.keySet() + (activeId == null ? "" : " active=" + activeId);
    }
}
