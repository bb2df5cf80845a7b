package dev.signalbox.launcher;

import picocli.CommandLine.Option;

/** {@code --no-create-topics}, on every component command (a picocli mixin). */
final class TopicCreationOption {
    @Option(names = "--no-create-topics", negatable = false,
            description = "Do not create a missing topic at start: stop with an error naming `bin/ingress topics create`"
                    + " (for topics managed by Strimzi or by hand). By default a missing topic is created with the settings"
                    + " Signalbox needs; a topic whose settings would break Signalbox stops the start either way.")
    boolean noCreateTopics;

    boolean createTopics() {
        return !noCreateTopics;
    }
}
