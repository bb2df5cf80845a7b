package dev.signalbox.launcher;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option converters for numbers with a range: TCP ports and durations (in milliseconds, or with a unit). */
final class Port {
    private Port() {
    }

    /** A TCP port, 0-65535 (0: any free port). */
    static final class Converter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return parse(value, 0);
        }

        static int parse(String value, int min) {
            try {
                int p = Integer.parseInt(value);
                if (p >= min && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "' is not a port number (" + min + "-65535)");
        }
    }

    /** A {@code --...-ms} option: a non-negative number of milliseconds. */
    static final class Millis implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                long ms = Long.parseLong(value);
                if (ms >= 0) {
                    return Duration.ofMillis(ms);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "' is not a number of milliseconds");
        }
    }

    /** A positive time with its unit: 500ms, 30s, 2m (kubectl's spelling). */
    static final class Span implements ITypeConverter<Duration> {
        private static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)");

        @Override
        public Duration convert(String value) {
            java.util.regex.Matcher m = FORM.matcher(value.trim());
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                Duration d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    default -> Duration.ofMinutes(n);
                };
                if (!d.isZero()) {
                    return d;
                }
            }
            throw new TypeConversionException("'" + value + "' is not a positive time such as 500ms, 30s or 2m");
        }
    }
}
