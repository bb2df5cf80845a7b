package dev.signalbox.schemas.net;

/**
 * IP address literals as bytes, parsed without any name lookup (a host name is simply not an address), for CIDR
 * blocks from annotations and flags and for client addresses. Pure; any thread.
 */
public final class IpAddresses {
    private IpAddresses() {
    }

    /**
     * The address's bytes: four for IPv4 (dotted decimal, no leading zeros, as Go's net.ParseIP since 1.17) and for
     * IPv4-mapped IPv6 ({@code ::ffff:10.0.0.1}), sixteen for other IPv6 (RFC 4291 2.2 text forms, in brackets or
     * not); null when {@code text} is not such a literal.
     *
     * @param zoneAllowed whether an IPv6 zone ({@code fe80::1%eth0}, as the JDK writes link-local peers) is
     *                    accepted and ignored
     */
    public static byte[] parse(String text, boolean zoneAllowed) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            if (!zoneAllowed || t.indexOf(':') < 0) {
                return null;
            }
            t = t.substring(0, zone);
        }
        if (t.indexOf(':') < 0) {
            return ipv4(t);
        }
        byte[] b = ipv6(t);
        if (b != null && isIpv4Mapped(b)) {
            return java.util.Arrays.copyOfRange(b, 12, 16);
        }
        return b;
    }

    private static byte[] ipv4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int i = 0;
        int n = s.length();
        while (part < 4) {
            int start = i;
            int v = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || v > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return null;
            }
            out[part++] = (byte) v;
            if (part < 4) {
                if (i >= n || s.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
        }
        return i == n ? out : null;
    }

    private static byte[] ipv6(String s) {
        byte[] out = new byte[16];
        int n = s.length();
        int i = 0;
        int w = 0;
        int gap = -1;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) {
                return out;
            }
        } else if (s.startsWith(":")) {
            return null;
        }
        while (i < n) {
            if (w >= 16) {
                return null;
            }
            int start = i;
            int v = 0;
            while (i < n && i - start < 4 && Character.digit(s.charAt(i), 16) >= 0) {
                v = v * 16 + Character.digit(s.charAt(i), 16);
                i++;
            }
            if (i < n && s.charAt(i) == '.') {
                // An IPv4 tail (RFC 4291 2.2 form 3) fills the last four bytes.
                byte[] v4 = w <= 12 ? ipv4(s.substring(start)) : null;
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, w, 4);
                w += 4;
                i = n;
                break;
            }
            if (i == start) {
                return null;
            }
            out[w++] = (byte) (v >> 8);
            out[w++] = (byte) v;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = w;
                i++;
                if (i == n) {
                    break;
                }
            } else if (i == n) {
                return null;
            }
        }
        if (gap < 0) {
            return w == 16 ? out : null;
        }
        if (w == 16) {
            return null;
        }
        int tail = w - gap;
        System.arraycopy(out, gap, out, 16 - tail, tail);
        java.util.Arrays.fill(out, gap, 16 - tail, (byte) 0);
        return out;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** The canonical text: dotted decimal, or RFC 5952 IPv6 (lower case, the longest run of zero groups as ::). */
    public static String format(byte[] b) {
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int g = 0; g < 8; ) {
            int len = 0;
            while (g + len < 8 && b[2 * (g + len)] == 0 && b[2 * (g + len) + 1] == 0) {
                len++;
            }
            if (len > bestLen) {
                bestStart = g;
                bestLen = len;
            }
            g += Math.max(len, 1);
        }
        StringBuilder sb = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                sb.append("::");
                g += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(((b[2 * g] & 0xff) << 8) | (b[2 * g + 1] & 0xff)));
        }
        return sb.toString();
    }
}
