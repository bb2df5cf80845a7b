package dev.signalbox.schemas.topics;

/**
 * One way a topic differs from what Signalbox needs.
 *
 * @param setting  a topic configuration key, or {@code partitions}, {@code replication}, {@code topic} (missing)
 * @param found    what Kafka has ("missing" when the topic does not exist)
 * @param required what Signalbox needs, in words ("delete", ">= 589824", "-1 (forever)")
 * @param why      what goes wrong, one sentence
 * @param fix      the command (or step) that fixes it
 */
public record TopicProblem(String topic, String setting, String found, String required, Severity severity,
                           String why, String fix) {
    /** The {@link #setting} of a topic that does not exist. */
    public static final String MISSING = "topic";

    /** One line for a log: {@code topic setting: found X, Signalbox needs Y; breaks Signalbox: why; fix: ...}. */
    public String describe() {
        if (setting.equals(MISSING)) {
            return topic + " is missing (" + why + "); fix: " + fix;
        }
        return topic + " " + setting + ": found " + found + ", Signalbox needs " + required + "; "
                + (severity == Severity.BREAKS ? "breaks Signalbox: " : "differs: ") + why + "; fix: " + fix;
    }
}
