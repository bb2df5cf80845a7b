package dev.signalbox.proxy.netty;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket transport of the proxy's event loops: io_uring where the kernel allows it, native epoll where it does
 * not, NIO where neither loads (not Linux). io_uring hands a loop turn's socket reads and writes to the kernel in
 * one system call where epoll makes one per read and per write; in {@code bin/ingress perf}'s HTTP/1.1 cases the same
 * proxy used 15-20 % less CPU per request on io_uring than on epoll (proxy-node/DESIGN.md, "Fifth round"). Kernels
 * and container runtimes that forbid io_uring (the {@code kernel.io_uring_disabled} sysctl; Docker's and containerd's
 * default seccomp profiles since moby#46762 and containerd#9320) make it unavailable, and {@code auto} then takes
 * epoll; {@code --transport} names one outright. (For a day {@code auto} took epoll: io_uring's later write
 * completions had exposed a lost answer from HTTP/2 backends that end their stream before the request body is sent,
 * since fixed in {@code Exchange}.)
 */
public record Transport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel,
                        Class<? extends Channel> channel) {

    /** What the operator asked for ({@code --transport}). */
    public enum Preference {
        /** The fastest this machine allows: io_uring, else epoll, else NIO. */
        AUTO,
        IO_URING,
        EPOLL,
        NIO;

        /** The option's spelling: auto, io_uring, epoll, nio. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The transports there are. */
    public enum Kind {
        IO_URING,
        EPOLL,
        NIO
    }

    /**
     * The transport for {@code preference} given what loads here (pure). A transport asked for by name that does not
     * load is an error, not a silent fallback: the operator chose it for a reason.
     *
     * @throws IllegalStateException when {@code preference} names a transport that is not available
     */
    public static Kind choose(Preference preference, boolean ioUring, boolean epoll) {
        return switch (preference) {
            case AUTO -> ioUring ? Kind.IO_URING : epoll ? Kind.EPOLL : Kind.NIO;
            case IO_URING -> {
                if (!ioUring) {
                    throw new IllegalStateException("--transport io_uring: io_uring is not available here");
                }
                yield Kind.IO_URING;
            }
            case EPOLL -> {
                if (!epoll) {
                    throw new IllegalStateException("--transport epoll: native epoll is not available here");
                }
                yield Kind.EPOLL;
            }
            case NIO -> Kind.NIO;
        };
    }

    /** The transport {@code preference} gives on this machine. */
    public static Transport of(Preference preference) {
        Kind kind;
        try {
            kind = choose(preference, IoUring.isAvailable(), Epoll.isAvailable());
        } catch (IllegalStateException e) {
            Throwable why = preference == Preference.IO_URING ? IoUring.unavailabilityCause() : Epoll.unavailabilityCause();
            throw new IllegalStateException(e.getMessage() + " (" + why + ")", e);
        }
        return switch (kind) {
            case IO_URING -> new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                    IoUringSocketChannel.class);
            case EPOLL -> new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel.class);
            case NIO -> new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                    NioSocketChannel.class);
        };
    }

    /** Why the native transports better than {@code chosen} are not used, for the start-up log; empty when none is. */
    public static String whyNotFaster(Transport chosen) {
        StringBuilder why = new StringBuilder();
        if (!chosen.name().equals("io_uring") && !IoUring.isAvailable()) {
            why.append("io_uring unavailable: ").append(IoUring.unavailabilityCause());
        }
        if (chosen.name().equals("nio") && !Epoll.isAvailable()) {
            why.append(why.isEmpty() ? "" : "; ").append("epoll unavailable: ").append(Epoll.unavailabilityCause());
        }
        return why.toString();
    }

    public EventLoopGroup newGroup(int threads, String threadName) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName), ioHandlers);
    }
}
