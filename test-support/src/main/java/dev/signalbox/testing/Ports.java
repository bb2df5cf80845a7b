package dev.signalbox.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on 127.0.0.1 for processes and servers a test or a training run starts itself. */
public final class Ports {
    private Ports() {
    }

    /**
     * A port nothing listens on right now (bound once by the kernel's choice, then released): for a process
     * started later to bind, or for a connection that must be refused.
     */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
