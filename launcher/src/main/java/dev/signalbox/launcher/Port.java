package dev.signalbox.launcher;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option converters for numbers with a range: TCP ports, durations in milliseconds, and spans such as 10s. */
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

    /** A span of time with its unit: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
    static final class Span implements ITypeConverter<Duration> {
        private static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            java.util.regex.Matcher m = FORM.matcher(value);
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a span of time such as 500ms, 10s, 2m or 1h");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
    }
}
