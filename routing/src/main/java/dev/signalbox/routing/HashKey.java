package dev.signalbox.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@code upstream-hash-by} key ({@code $request_uri$host}, {@code user-$cookie_id}) split once into text and
 * variables, and filled in from a request ({@link RequestView#variable}); a variable the request lacks is empty, as
 * in nginx. Immutable.
 */
final class HashKey {
    /** Each part: text as it is, or a variable's name after "$". */
    private final String[] parts;

    private HashKey(String[] parts) {
        this.parts = parts;
    }

    static HashKey parse(String template) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < template.length()) {
            if (template.charAt(i) == '$') {
                int j = i + 1;
                while (j < template.length() && (Character.isLetterOrDigit(template.charAt(j)) || template.charAt(j) == '_')) {
                    j++;
                }
                parts.add(template.substring(i, j));
                i = j;
            } else {
                int j = template.indexOf('$', i);
                if (j < 0) {
                    j = template.length();
                }
                parts.add(template.substring(i, j));
                i = j;
            }
        }
        return new HashKey(parts.toArray(new String[0]));
    }

    /** The hash of the key as {@code request} fills it in. */
    long hash(RequestView request) {
        StringBuilder b = new StringBuilder(64);
        for (String p : parts) {
            if (p.startsWith("$")) {
                String v = request.variable(p.substring(1));
                if (v != null) {
                    b.append(v);
                }
            } else {
                b.append(p);
            }
        }
        return HashRing.hash(b);
    }
}
