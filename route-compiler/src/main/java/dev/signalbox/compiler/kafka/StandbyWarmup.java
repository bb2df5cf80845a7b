package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.compiler.compile.Isolation;
import dev.signalbox.compiler.model.ClusterModel;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.snapshotlog.SnapshotLog;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs, once, the read-only half of a takeover in a standby: loads the checkpoint into a throwaway model,
 * compiles and hashes it, reads the latest snapshot. Nothing is kept but a warm JVM (classes loaded, native
 * compression loaded, code compiled), so the takeover's own recovery runs on warm code. Writes nothing and
 * never fences. On its own thread, started by {@link dev.signalbox.compiler.Compiler} when it stands by.
 */
public final class StandbyWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(StandbyWarmup.class);

    private StandbyWarmup() {
    }

    public static void run(CompilerConfig config) {
        long t0 = System.nanoTime();
        try {
            ClusterModel model = new ClusterModel();
            ModelCheckpoint.load(config.kafka(), model);
            String hash = SnapshotCodec.contentHash(Isolation.compile(model));
            try (SnapshotLog log = SnapshotLog.connect(config.kafka(), "signalbox-compiler-warmup")) {
                log.latest(Duration.ofSeconds(30));
            }
            LOG.info("standby warmed up in {} ms ({} objects in the checkpoint, {})", (System.nanoTime() - t0) / 1_000_000,
                    model.size(), hash);
        } catch (RuntimeException e) {
            LOG.info("standby warm-up skipped: {}", e.toString());
        }
    }
}
