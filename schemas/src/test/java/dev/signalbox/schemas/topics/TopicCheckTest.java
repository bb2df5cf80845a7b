package dev.signalbox.schemas.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopicCheckTest {
    private static final String KAFKA = "kafka:9092";
    private static final int CHUNK = 512 * 1024;
    private static final List<TopicRequirement> REQUIRED = TopicRequirements.all(3, CHUNK);

    /** The three topics as {@code topics create} makes them with {@code rf} replicas, on a broker with Kafka's defaults. */
    private static Map<String, DescribedTopic> created(int rf) {
        Map<String, DescribedTopic> topics = new HashMap<>();
        for (TopicRequirement r : REQUIRED) {
            Map<String, String> configs = new HashMap<>(Map.of("cleanup.policy", "delete", "retention.ms", "604800000",
                    "retention.bytes", "-1", "max.message.bytes", "1048588", "min.insync.replicas", "1",
                    "unclean.leader.election.enable", "false", "segment.bytes", "1073741824"));
            configs.putAll(r.createConfigs(rf));
            topics.put(r.name(), new DescribedTopic(r.name(), r.partitions(), rf, configs));
        }
        return topics;
    }

    private static UnaryOperator<Map<String, DescribedTopic>> set(String topic, String key, String value) {
        return topics -> {
            Map<String, DescribedTopic> copy = new HashMap<>(topics);
            DescribedTopic t = copy.get(topic);
            Map<String, String> configs = new HashMap<>(t.configs());
            configs.put(key, value);
            copy.put(topic, new DescribedTopic(topic, t.partitions(), t.replicationFactor(), configs));
            return copy;
        };
    }

    private static UnaryOperator<Map<String, DescribedTopic>> partitions(String topic, int n) {
        return topics -> {
            Map<String, DescribedTopic> copy = new HashMap<>(topics);
            DescribedTopic t = copy.get(topic);
            copy.put(topic, new DescribedTopic(topic, n, t.replicationFactor(), t.configs()));
            return copy;
        };
    }

    private static UnaryOperator<Map<String, DescribedTopic>> missing(String topic) {
        return topics -> {
            Map<String, DescribedTopic> copy = new HashMap<>(topics);
            copy.remove(topic);
            return copy;
        };
    }

    @SafeVarargs
    private static UnaryOperator<Map<String, DescribedTopic>> all(UnaryOperator<Map<String, DescribedTopic>>... changes) {
        return topics -> {
            for (UnaryOperator<Map<String, DescribedTopic>> c : changes) {
                topics = c.apply(topics);
            }
            return topics;
        };
    }

    /** A case: a name, the replication factor, a change to a freshly created set, the problems as "topic setting found SEVERITY". */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a freshly created set with one replica has no problem", 1, UnaryOperator.identity(), List.of()),
                Arguments.of("a freshly created set with three replicas has no problem", 3, UnaryOperator.identity(), List.of()),
                Arguments.of("a missing topic breaks", 1, missing(Topics.SNAPSHOTS),
                        List.of("signalbox.snapshots topic missing BREAKS")),
                Arguments.of("a compacted events topic breaks", 1, set(Topics.EVENTS, "cleanup.policy", "compact"),
                        List.of("signalbox.events cleanup.policy compact BREAKS")),
                Arguments.of("an events topic compacted and deleted breaks", 1, set(Topics.EVENTS, "cleanup.policy", "compact,delete"),
                        List.of("signalbox.events cleanup.policy compact,delete BREAKS")),
                Arguments.of("events kept seven days break", 1, set(Topics.EVENTS, "retention.ms", "604800000"),
                        List.of("signalbox.events retention.ms 604800000 BREAKS")),
                Arguments.of("events cut by size break", 1, set(Topics.EVENTS, "retention.bytes", "1073741824"),
                        List.of("signalbox.events retention.bytes 1073741824 BREAKS")),
                Arguments.of("an events record limit below the largest event breaks", 1, set(Topics.EVENTS, "max.message.bytes", "524288"),
                        List.of("signalbox.events max.message.bytes 524288 BREAKS")),
                Arguments.of("the broker's default record limit suits the events", 1, set(Topics.EVENTS, "max.message.bytes", "1048588"),
                        List.of()),
                Arguments.of("a snapshots record limit below the chunk size breaks", 1, set(Topics.SNAPSHOTS, "max.message.bytes", "100000"),
                        List.of("signalbox.snapshots max.message.bytes 100000 BREAKS")),
                Arguments.of("a snapshots record limit above a chunk but below 2 MiB only differs", 1,
                        set(Topics.SNAPSHOTS, "max.message.bytes", "1048588"),
                        List.of("signalbox.snapshots max.message.bytes 1048588 DIFFERS")),
                Arguments.of("a compacted snapshots topic breaks multi-chunk snapshots", 1, set(Topics.SNAPSHOTS, "cleanup.policy", "compact"),
                        List.of("signalbox.snapshots cleanup.policy compact BREAKS")),
                Arguments.of("snapshots kept seven days only differ", 1, set(Topics.SNAPSHOTS, "retention.ms", "604800000"),
                        List.of("signalbox.snapshots retention.ms 604800000 DIFFERS")),
                Arguments.of("snapshots kept forever are fine", 1, set(Topics.SNAPSHOTS, "retention.ms", "-1"), List.of()),
                Arguments.of("a checkpoint deleted by age breaks", 1, set(Topics.COMPILER_MODEL, "cleanup.policy", "delete"),
                        List.of("signalbox.compiler.model cleanup.policy delete BREAKS")),
                Arguments.of("a checkpoint compacted and deleted by age breaks", 1,
                        set(Topics.COMPILER_MODEL, "cleanup.policy", "compact,delete"),
                        List.of("signalbox.compiler.model cleanup.policy compact,delete BREAKS")),
                Arguments.of("unclean leader election only differs", 1, set(Topics.EVENTS, "unclean.leader.election.enable", "true"),
                        List.of("signalbox.events unclean.leader.election.enable true DIFFERS")),
                Arguments.of("more in-sync replicas than replicas break every write", 1, set(Topics.EVENTS, "min.insync.replicas", "2"),
                        List.of("signalbox.events min.insync.replicas 2 BREAKS")),
                Arguments.of("one in-sync replica of three only differs", 3, set(Topics.SNAPSHOTS, "min.insync.replicas", "1"),
                        List.of("signalbox.snapshots min.insync.replicas 1 DIFFERS")),
                Arguments.of("fewer event partitions than wanted only differ", 1, partitions(Topics.EVENTS, 1),
                        List.of("signalbox.events partitions 1 DIFFERS")),
                Arguments.of("more event partitions than wanted are fine", 1, partitions(Topics.EVENTS, 6), List.of()),
                Arguments.of("a second snapshots partition only differs", 1, partitions(Topics.SNAPSHOTS, 2),
                        List.of("signalbox.snapshots partitions 2 DIFFERS")),
                Arguments.of("every problem of every topic is listed, in the topics' order", 1,
                        all(set(Topics.COMPILER_MODEL, "cleanup.policy", "delete"),
                                set(Topics.EVENTS, "cleanup.policy", "compact"), missing(Topics.SNAPSHOTS)),
                        List.of("signalbox.events cleanup.policy compact BREAKS", "signalbox.snapshots topic missing BREAKS",
                                "signalbox.compiler.model cleanup.policy delete BREAKS"))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void findsWhatBreaksOrDiffers(String name, int rf, UnaryOperator<Map<String, DescribedTopic>> change, List<String> expected) {
        List<String> found = TopicCheck.check(REQUIRED, change.apply(created(rf)), KAFKA).stream()
                .map(p -> p.topic() + " " + p.setting() + " " + p.found() + " " + p.severity()).toList();
        assertEquals(expected, found);
    }

    @Test
    void aProblemNamesWhatWasFoundWhatIsNeededAndTheCommandThatFixesIt() {
        List<TopicProblem> problems = TopicCheck.check(REQUIRED,
                set(Topics.SNAPSHOTS, "max.message.bytes", "100000").apply(created(1)), KAFKA);
        assertEquals(List.of(new TopicProblem(Topics.SNAPSHOTS, "max.message.bytes", "100000", ">= 589824 (new topics get 2097152)",
                Severity.BREAKS, "a snapshot chunk (524288 bytes) is refused: the compiler cannot publish a snapshot larger than the limit",
                "kafka-configs.sh --bootstrap-server kafka:9092 --alter --entity-type topics --entity-name signalbox.snapshots"
                        + " --add-config max.message.bytes=2097152")), problems);
        assertTrue(TopicCheck.breaks(problems));
    }

    @Test
    void aMissingTopicIsFixedByTopicsCreate() {
        List<TopicProblem> problems = TopicCheck.check(REQUIRED, missing(Topics.EVENTS).apply(created(1)), KAFKA);
        assertEquals("bin/ingress topics create --kafka kafka:9092", problems.get(0).fix());
    }

    @Test
    void aProblemIsOneLineForTheLogs() {
        List<String> lines = TopicCheck.check(REQUIRED, all(missing(Topics.SNAPSHOTS),
                set(Topics.EVENTS, "cleanup.policy", "compact")).apply(created(1)), KAFKA).stream().map(TopicProblem::describe).toList();
        assertEquals(List.of("signalbox.events cleanup.policy: found compact, Signalbox needs delete; breaks Signalbox: compaction"
                        + " keeps only each object's latest event: the history replay and audit read is lost; fix: kafka-configs.sh"
                        + " --bootstrap-server kafka:9092 --alter --entity-type topics --entity-name signalbox.events --add-config"
                        + " cleanup.policy=delete",
                "signalbox.snapshots is missing (it holds the versioned routing snapshots); fix: bin/ingress topics create --kafka kafka:9092"),
                lines);
    }

    @Test
    void differencesAloneDoNotBreak() {
        assertFalse(TopicCheck.breaks(TopicCheck.check(REQUIRED,
                set(Topics.EVENTS, "unclean.leader.election.enable", "true").apply(created(1)), KAFKA)));
    }

    /** The table that deploy/k8s/70-topics.yaml and the README mirror. */
    @Test
    void newTopicsGetEverySettingExplicitly() {
        assertEquals(Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1",
                "max.message.bytes", "1048576", "unclean.leader.election.enable", "false", "min.insync.replicas", "2"),
                TopicRequirements.events(6).createConfigs(3));
        assertEquals(Map.of("cleanup.policy", "delete", "retention.ms", "2592000000", "max.message.bytes", "2097152",
                "unclean.leader.election.enable", "false", "min.insync.replicas", "1"),
                TopicRequirements.snapshots(CHUNK).createConfigs(1));
        assertEquals(Map.of("cleanup.policy", "compact", "max.message.bytes", "1048576",
                "unclean.leader.election.enable", "false", "min.insync.replicas", "2"),
                TopicRequirements.compilerModel().createConfigs(3));
        assertEquals(Map.of("cleanup.policy", "delete", "retention.ms", "3600000", "segment.ms", "600000",
                "unclean.leader.election.enable", "false", "min.insync.replicas", "2"),
                TopicRequirements.compilerLease().createConfigs(3));
    }

    @Test
    void minInsyncReplicasIsAMajorityFromThreeReplicasOn() {
        assertEquals(List.of(1, 1, 2, 3, 3), Stream.of(1, 2, 3, 4, 5).map(TopicRequirements::minInsyncReplicas).toList());
    }
}
