package dev.signalbox.compiler;

/**
 * Runs one route-compiler against an external Kafka from a configuration read once by
 * {@code bin/ingress compiler} (the launcher module parses the command line). Stops cleanly on SIGTERM.
 */
public final class CompilerMain {
    /** The exit status when another compiler fenced this one. */
    public static final int FENCED = 3;

    private CompilerMain() {
    }

    /** Blocks the caller's thread until the compiler stops; 0, or {@link #FENCED}. */
    public static int run(CompilerConfig config) throws InterruptedException {
        Compiler compiler = Compiler.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(compiler::close, "compiler-shutdown"));
        compiler.awaitStop();
        return compiler.fatalError() != null ? FENCED : 0;
    }
}
