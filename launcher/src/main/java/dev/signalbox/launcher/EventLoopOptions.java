package dev.signalbox.launcher;

import dev.signalbox.proxy.netty.Transport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A proxy's event loops: {@code --io-threads} and {@code --transport}. Shared by {@code proxy} and {@code local} (each
 * of its proxies; a picocli mixin), so both take the same names, defaults and checks.
 */
final class EventLoopOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--io-threads", defaultValue = "0", paramLabel = "N",
            description = "Event loops serving clients and backends, one per core to be used (as nginx's "
                    + "worker_processes). 0: one per available processor.")
    int ioThreads;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "auto|io_uring|epoll|nio",
            converter = PreferenceConverter.class,
            description = "The event loops' socket transport. auto: io_uring where the kernel and the container's "
                    + "seccomp profile allow it (Docker's and containerd's default profiles do not), else epoll, else "
                    + "NIO; a transport named here that is not available stops the start.")
    Transport.Preference transport;

    /** The thread count, checked. */
    int ioThreads() {
        if (ioThreads < 0) {
            throw new ParameterException(spec.commandLine(), "--io-threads must be at least 1 (or 0 for one per processor)");
        }
        return ioThreads;
    }

    /** The transport asked for, checked: one named outright must load here (a usage error, with the reason, if not). */
    Transport.Preference transport() {
        try {
            Transport.of(transport);
        } catch (IllegalStateException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return transport;
    }

    static final class PreferenceConverter implements picocli.CommandLine.ITypeConverter<Transport.Preference> {
        @Override
        public Transport.Preference convert(String value) {
            for (Transport.Preference p : Transport.Preference.values()) {
                if (p.toString().equals(value)) {
                    return p;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a transport: auto, io_uring, epoll or nio");
        }
    }
}
