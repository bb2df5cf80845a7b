package dev.signalbox.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} command-line options, checked against the names a command accepts. */
record Options(Map<String, String> values) {

    static Options parse(String command, String[] args, int from, Set<String> allowed) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            }
            if (!allowed.contains(name)) {
                throw new UsageException(command + ": unknown option --" + name + " (known: " + allowed + ")");
            }
            if (value == null) {
                throw new UsageException(command + ": --" + name + " needs a value");
            }
            values.put(name, value);
        }
        return new Options(Map.copyOf(values));
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String require(String command, String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException(command + ": --" + name + " is required");
        }
        return v;
    }

    int integer(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, not '" + v + "'");
        }
    }

    /** A command line that cannot be run: printed with the usage, exit status 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
