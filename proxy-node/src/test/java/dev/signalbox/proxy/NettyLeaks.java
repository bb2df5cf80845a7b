package dev.signalbox.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects Netty's leak reports for the ITs of this JVM. Netty creates each resource type's detector once,
 * so the factory must be installed once, before the first ByteBuf exists; every IT shares this list.
 */
final class NettyLeaks {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String type, String records) {
                        LEAKS.add("LEAK " + type + records);
                        super.reportTracedLeak(type, records);
                    }

                    @Override
                    protected void reportUntracedLeak(String type) {
                        LEAKS.add("LEAK " + type);
                        super.reportUntracedLeak(type);
                    }
                };
            }
        });
    }

    private NettyLeaks() {
    }

    /** Call from a static initialiser of every IT, before it allocates a buffer. */
    static void install() {
        // The static initialiser did the work.
    }

    /**
     * An IT's end: closes {@code resources} in order (null ones were never started), then fails if Netty reported a
     * leaked buffer.
     */
    static void closeThenAssertNone(AutoCloseable... resources) throws Exception {
        for (AutoCloseable c : resources) {
            if (c != null) {
                c.close();
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), reported(), "Netty reported buffer leaks");
    }

    /**
     * The leaks reported so far, after making the collector run: a leak is reported when a tracked buffer
     * was collected and another one is tracked afterwards.
     */
    static List<String> reported() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            probe.release();
        }
        return List.copyOf(LEAKS);
    }
}
