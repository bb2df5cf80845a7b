package dev.signalbox.schemas.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compares topics as Kafka describes them with what Signalbox needs: a pure function, so that
 * {@code bin/ingress topics check}, {@code topics create} and each component's start-up say the same
 * thing, and a table test covers it. Each problem names the command that fixes it, for the Kafka at
 * {@code bootstrap}.
 */
public final class TopicCheck {
    private TopicCheck() {
    }

    /** The problems of every required topic, in the order of {@code required}; empty when all is well. */
    public static List<TopicProblem> check(List<TopicRequirement> required, Map<String, DescribedTopic> found,
                                           String bootstrap) {
        List<TopicProblem> problems = new ArrayList<>();
        for (TopicRequirement r : required) {
            problems.addAll(check(r, Optional.ofNullable(found.get(r.name())), bootstrap));
        }
        return List.copyOf(problems);
    }

    /** The problems of one topic ({@code found} empty: it does not exist). */
    public static List<TopicProblem> check(TopicRequirement required, Optional<DescribedTopic> found, String bootstrap) {
        if (found.isEmpty()) {
            return List.of(new TopicProblem(required.name(), TopicProblem.MISSING, "missing", "exists", Severity.BREAKS,
                    "it holds " + required.purpose(), createCommand(bootstrap)));
        }
        DescribedTopic t = found.get();
        List<TopicProblem> problems = new ArrayList<>();
        if (required.keyed() && t.partitions() < required.partitions()) {
            problems.add(new TopicProblem(t.name(), "partitions", String.valueOf(t.partitions()),
                    ">= " + required.partitions(), Severity.DIFFERS,
                    "fewer partitions spread the events over fewer brokers",
                    "none needed; do not add partitions to this topic: its records are keyed by object, and a new"
                            + " partition count would split an object's history"));
        } else if (!required.keyed() && t.partitions() != required.partitions()) {
            problems.add(new TopicProblem(t.name(), "partitions", String.valueOf(t.partitions()),
                    String.valueOf(required.partitions()), Severity.DIFFERS,
                    "Signalbox writes and reads partition 0 only; the others stay empty", "none needed"));
        }
        for (SettingRule rule : required.rules()) {
            String value = t.configs().get(rule.key());
            rule.judge(value, t.replicationFactor()).ifPresent(j -> problems.add(new TopicProblem(t.name(), rule.key(),
                    value == null ? "not set" : value, j.required(), j.severity(), j.why(),
                    alterCommand(bootstrap, t.name(), rule.key(), j.fixValue()))));
        }
        return List.copyOf(problems);
    }

    /** True when one of {@code problems} breaks Signalbox. */
    public static boolean breaks(List<TopicProblem> problems) {
        return problems.stream().anyMatch(p -> p.severity() == Severity.BREAKS);
    }

    /** The command that creates every missing topic with its settings. */
    public static String createCommand(String bootstrap) {
        return "bin/ingress topics create --kafka " + bootstrap;
    }

    /** Kafka's own tool, changing one setting of one topic. */
    public static String alterCommand(String bootstrap, String topic, String key, String value) {
        return "kafka-configs.sh --bootstrap-server " + bootstrap + " --alter --entity-type topics --entity-name "
                + topic + " --add-config " + key + "=" + value;
    }
}
