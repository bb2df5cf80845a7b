package dev.signalbox.proxy.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Poul-Henning Kamp's MD5-based crypt, as FreeBSD's {@code $1$} and Apache's {@code $apr1$} (the same algorithm with
 * another magic string): what {@code htpasswd -m} (Apache's default before 2.4) writes. A thousand MD5 rounds:
 * microseconds, so it is checked on the event loop. Pure; any thread.
 */
final class Md5Crypt {
    static final String APR1 = "$apr1$";
    static final String MD5 = "$1$";
    private static final String ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private Md5Crypt() {
    }

    /**
     * The hash of {@code password} with the magic and salt of {@code setting} ({@code $apr1$salt$...}: the salt is at
     * most 8 characters, up to the next '$'), or null when {@code setting} starts with neither magic.
     */
    static String crypt(byte[] password, String setting) {
        String magic = setting.startsWith(APR1) ? APR1 : setting.startsWith(MD5) ? MD5 : null;
        if (magic == null) {
            return null;
        }
        String rest = setting.substring(magic.length());
        int end = rest.indexOf('$');
        String salt = rest.substring(0, Math.min(8, end < 0 ? rest.length() : end));
        byte[] saltBytes = salt.getBytes(StandardCharsets.ISO_8859_1);
        byte[] magicBytes = magic.getBytes(StandardCharsets.ISO_8859_1);

        MessageDigest ctx = md5();
        ctx.update(password);
        ctx.update(magicBytes);
        ctx.update(saltBytes);
        MessageDigest alt = md5();
        alt.update(password);
        alt.update(saltBytes);
        alt.update(password);
        byte[] altResult = alt.digest();
        for (int left = password.length; left > 0; left -= 16) {
            ctx.update(altResult, 0, Math.min(16, left));
        }
        for (int i = password.length; i != 0; i >>>= 1) {
            // The original hashes its (then zeroed) result buffer's first byte for a 1 bit, the password's for a 0.
            if ((i & 1) != 0) {
                ctx.update((byte) 0);
            } else {
                ctx.update(password, 0, Math.min(1, password.length));
            }
        }
        byte[] fin = ctx.digest();
        for (int i = 0; i < 1000; i++) {
            MessageDigest round = md5();
            if ((i & 1) != 0) {
                round.update(password);
            } else {
                round.update(fin);
            }
            if (i % 3 != 0) {
                round.update(saltBytes);
            }
            if (i % 7 != 0) {
                round.update(password);
            }
            if ((i & 1) != 0) {
                round.update(fin);
            } else {
                round.update(password);
            }
            fin = round.digest();
        }
        StringBuilder out = new StringBuilder(magic).append(salt).append('$');
        to64(out, (fin[0] & 0xff) << 16 | (fin[6] & 0xff) << 8 | (fin[12] & 0xff), 4);
        to64(out, (fin[1] & 0xff) << 16 | (fin[7] & 0xff) << 8 | (fin[13] & 0xff), 4);
        to64(out, (fin[2] & 0xff) << 16 | (fin[8] & 0xff) << 8 | (fin[14] & 0xff), 4);
        to64(out, (fin[3] & 0xff) << 16 | (fin[9] & 0xff) << 8 | (fin[15] & 0xff), 4);
        to64(out, (fin[4] & 0xff) << 16 | (fin[10] & 0xff) << 8 | (fin[5] & 0xff), 4);
        to64(out, fin[11] & 0xff, 2);
        return out.toString();
    }

    private static void to64(StringBuilder out, int v, int n) {
        for (int i = 0; i < n; i++) {
            out.append(ITOA64.charAt(v & 0x3f));
            v >>>= 6;
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5", e);
        }
    }
}
