package dev.signalbox.launcher;

import io.netty.util.ResourceLeakDetector;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --leak-detection}: Netty's buffer leak detection in a process that serves traffic ({@code proxy}, {@code local};
 * a picocli mixin). Off by default: at Netty's own default ({@code simple}: one buffer in 128 tracked with the stack of
 * its allocation, and every message touched at every handler it passes) it cost about a tenth of the proxy's CPU per
 * request over HTTP/1.1 and HTTP/2 (docs/benchmarks.md, 2026-12-07), and a sampling 128 times sparser kept most of
 * that (the touches stay). The tests run with {@code paranoid} (every buffer tracked; the root pom), so a leak in the
 * code is found there; a node suspected of leaking can run with {@code simple}.
 */
final class LeakDetectionOption {
    /** Netty's own switch, which a process started with {@code -D...} keeps unless the option is given. */
    static final String NETTY_PROPERTY = "io.netty.leakDetection.level";
    /** Netty's older name for it, which it still reads. */
    static final String NETTY_LEGACY_PROPERTY = "io.netty.leakDetectionLevel";

    @Option(names = "--leak-detection", paramLabel = "disabled|simple|advanced|paranoid", converter = LevelConverter.class,
            description = "Netty's buffer leak detection (simple: one buffer in 128 tracked; paranoid: every buffer, "
                    + "slow). Default: disabled, unless -D" + NETTY_PROPERTY + " is set in the JVM's options.")
    ResourceLeakDetector.Level level;

    /** Sets Netty's level for this process as {@link #chosen} says; call before the first channel exists. */
    void apply() {
        chosen(level, System::getProperty).ifPresent(ResourceLeakDetector::setLevel);
    }

    /**
     * The level to set: the option's when given; none (Netty's own reading stands) when the JVM was started with
     * Netty's property under either name; else {@code disabled}.
     */
    static Optional<ResourceLeakDetector.Level> chosen(ResourceLeakDetector.Level option, UnaryOperator<String> properties) {
        if (option != null) {
            return Optional.of(option);
        }
        if (properties.apply(NETTY_PROPERTY) != null || properties.apply(NETTY_LEGACY_PROPERTY) != null) {
            return Optional.empty();
        }
        return Optional.of(ResourceLeakDetector.Level.DISABLED);
    }

    /** Netty's level names in any case; anything else is a usage error that lists them (Netty's own parser would fall back). */
    static final class LevelConverter implements ITypeConverter<ResourceLeakDetector.Level> {
        @Override
        public ResourceLeakDetector.Level convert(String value) {
            for (ResourceLeakDetector.Level l : ResourceLeakDetector.Level.values()) {
                if (l.name().equalsIgnoreCase(value)) {
                    return l;
                }
            }
            throw new TypeConversionException("'" + value + "' is not a leak detection level: " + Arrays.stream(
                    ResourceLeakDetector.Level.values()).map(l -> l.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", ")));
        }
    }
}
