package dev.signalbox.proxy.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The users of a basic-auth Secret and their password hashes, as nginx's {@code auth_basic_user_file} reads them
 * (ingress-nginx writes an {@code auth-map} Secret's entries as the lines of such a file), and the check of a password
 * against a hash: bcrypt ({@code $2y$}, {@code $2a$}, {@code $2b$}; {@code htpasswd -B}), SHA-1 ({@code {SHA}};
 * {@code htpasswd -s}) and MD5-crypt ({@code $apr1$}, {@code $1$}; {@code htpasswd -m}). Other forms (crypt(3) DES,
 * plain text) never match. Immutable; pure; any thread.
 */
public final class Htpasswd {
    /** bcrypt reads at most this many bytes of a password (crypt_blowfish, which htpasswd uses, ignores the rest). */
    private static final int BCRYPT_MAX_PASSWORD = 72;

    private final Map<String, String> hashes;

    private Htpasswd(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
    }

    /**
     * An htpasswd file: {@code user:hash} lines (a further {@code :field} is a comment, as nginx reads it), lines
     * starting with '#' and empty lines skipped; the first line of a user counts.
     */
    public static Htpasswd parse(String file) {
        Map<String, String> hashes = new HashMap<>();
        for (String line : file.split("\r?\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String hash = line.substring(colon + 1);
            int comment = hash.indexOf(':');
            hashes.putIfAbsent(line.substring(0, colon), comment < 0 ? hash : hash.substring(0, comment));
        }
        return new Htpasswd(hashes);
    }

    /** An {@code auth-map} Secret: every key a user, its value the hash. */
    public static Htpasswd ofMap(Map<String, String> entries) {
        Map<String, String> hashes = new HashMap<>();
        entries.forEach((user, hash) -> hashes.put(user, hash.trim()));
        return new Htpasswd(hashes);
    }

    /** The user's hash, or null for a user the file does not have. */
    public String hash(String user) {
        return hashes.get(user);
    }

    public int size() {
        return hashes.size();
    }

    /** Whether checking a password against {@code hash} costs milliseconds of CPU (bcrypt): not for an event loop. */
    public static boolean slow(String hash) {
        return hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$");
    }

    /** Whether {@code password} matches {@code hash}; false for a hash of a form Signalbox does not check. */
    public static boolean matches(String hash, byte[] password) {
        if (slow(hash)) {
            try {
                return OpenBSDBCrypt.checkPassword(hash, password.length <= BCRYPT_MAX_PASSWORD ? password
                        : Arrays.copyOf(password, BCRYPT_MAX_PASSWORD));
            } catch (IllegalArgumentException | org.bouncycastle.crypto.DataLengthException e) {
                // A malformed bcrypt string (wrong length, cost, alphabet): no password matches it.
                return false;
            }
        }
        if (hash.startsWith("{SHA}")) {
            byte[] expected = hash.substring(5).getBytes(StandardCharsets.ISO_8859_1);
            byte[] actual = Base64.getEncoder().encode(sha1(password));
            return MessageDigest.isEqual(expected, actual);
        }
        if (hash.startsWith(Md5Crypt.APR1) || hash.startsWith(Md5Crypt.MD5)) {
            String actual = Md5Crypt.crypt(password, hash);
            return actual != null && MessageDigest.isEqual(hash.getBytes(StandardCharsets.ISO_8859_1),
                    actual.getBytes(StandardCharsets.ISO_8859_1));
        }
        return false;
    }

    private static byte[] sha1(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-1", e);
        }
    }

    /**
     * The user and password of an {@code Authorization: Basic} field (RFC 7617), or null when the field is absent,
     * of another scheme or not base64 of {@code user:password}. The user is read as UTF-8 (RFC 7617 2.1's charset).
     */
    public static Credentials credentials(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.trim();
        if (a.length() < 6 || !a.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(a.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = -1;
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            return null;
        }
        return new Credentials(new String(decoded, 0, colon, StandardCharsets.UTF_8),
                Arrays.copyOfRange(decoded, colon + 1, decoded.length));
    }

    /** A user and the password bytes as sent. */
    public record Credentials(String user, byte[] password) {
    }

    /** {@code WWW-Authenticate} for {@code realm}: a quoted-string (RFC 9110 5.6.4), '"' and '\' escaped. */
    public static String challenge(String realm) {
        return "Basic realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
