package dev.signalbox.launcher;

import picocli.CommandLine.Option;

/**
 * {@code -o/--output table|json} for the commands that answer questions ({@code topics}, {@code history},
 * {@code show}, {@code diff}, {@code explain}, {@code verify}, {@code fleet}; a picocli mixin): a table for
 * people, or one JSON document on stdout and nothing else there (messages go to stderr).
 */
final class OutputOption {
    enum Format { table, json }

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "table|json",
            description = "A table for people, or one JSON document on stdout for tools (messages go to stderr).")
    Format format;

    boolean json() {
        return format == Format.json;
    }
}
