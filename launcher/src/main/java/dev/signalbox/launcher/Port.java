package dev.signalbox.launcher;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option converters for numbers with a range: TCP ports and durations given in milliseconds. */
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
}
