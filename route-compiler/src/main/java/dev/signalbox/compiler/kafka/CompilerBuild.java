package dev.signalbox.compiler.kafka;

import dev.signalbox.compiler.compile.Isolation;
import dev.signalbox.schemas.codec.Sha256;
import dev.signalbox.schemas.snapshot.RoutingTable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which build of the compile this process runs: the SHA-256 of the code the table's compile comes from (the
 * route-compiler and schemas jars, or their class directories in a development tree). Two compilers with the same
 * fingerprint compile the same model to the same table, so one may start from a table the other compiled
 * ({@link ModelCheckpoint.Meta#compiledBy}); an upgrade that changes either changes it. Unknown ("") when the code
 * cannot be read, which matches no checkpoint.
 */
final class CompilerBuild {
    private static volatile String fingerprint;

    private CompilerBuild() {
    }

    static String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            f = compute(List.of(Isolation.class, RoutingTable.class));
            fingerprint = f;
        }
        return f;
    }

    private static String compute(List<Class<?>> from) {
        try {
            MessageDigest digest = Sha256.newDigest();
            for (Class<?> c : from) {
                Path code = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                List<Path> files;
                if (Files.isDirectory(code)) {
                    try (Stream<Path> walk = Files.walk(code)) {
                        files = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
                    }
                } else {
                    files = List.of(code);
                }
                for (Path p : files) {
                    digest.update(code.relativize(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    try (InputStream in = Files.newInputStream(p)) {
                        digest.update(in.readAllBytes());
                    }
                }
            }
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return "";
        }
    }
}
