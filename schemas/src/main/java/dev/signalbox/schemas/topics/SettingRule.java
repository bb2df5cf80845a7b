package dev.signalbox.schemas.topics;

import java.util.Optional;

/**
 * What Signalbox needs of one topic setting: the value {@code topics create} (and a component's start-up)
 * gives a new topic, and how a different value found on an existing topic is judged.
 */
public sealed interface SettingRule {
    /** The topic configuration key. */
    String key();

    /** The value a new topic gets, given its replication factor. */
    String createValue(int replicationFactor);

    /**
     * Judges {@code found} (null: Kafka reported no value) on a topic with {@code replicationFactor} replicas;
     * empty when it serves Signalbox as well as {@link #createValue} would.
     */
    Optional<Judgement> judge(String found, int replicationFactor);

    /** Why a found value is not good enough, and the value that fixes it. */
    record Judgement(String required, Severity severity, String why, String fixValue) {
    }

    /** The setting must be exactly {@code value}. */
    record Exactly(String key, String value, Severity severity, String why) implements SettingRule {
        @Override
        public String createValue(int replicationFactor) {
            return value;
        }

        @Override
        public Optional<Judgement> judge(String found, int replicationFactor) {
            if (found != null && normalised(found).equals(normalised(value))) {
                return Optional.empty();
            }
            return Optional.of(new Judgement(value, severity, why, value));
        }

        private static String normalised(String v) {
            return v.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A number that may be larger: {@code wanted} is what a new topic gets; below it Signalbox works but
     * {@link Severity#DIFFERS}; below {@code breaksBelow} it {@link Severity#BREAKS}. With
     * {@code negativeIsUnlimited} (retention), -1 is larger than any number.
     */
    record AtLeast(String key, long wanted, long breaksBelow, boolean negativeIsUnlimited, String why,
                   String whyBreaks) implements SettingRule {
        @Override
        public String createValue(int replicationFactor) {
            return String.valueOf(wanted);
        }

        @Override
        public Optional<Judgement> judge(String found, int replicationFactor) {
            long v;
            try {
                v = found == null ? Long.MIN_VALUE : Long.parseLong(found.trim());
            } catch (NumberFormatException e) {
                v = Long.MIN_VALUE;
            }
            if (negativeIsUnlimited && v < 0 && v != Long.MIN_VALUE) {
                v = Long.MAX_VALUE;
            }
            if (v >= wanted) {
                return Optional.empty();
            }
            if (v < breaksBelow) {
                return Optional.of(new Judgement(">= " + breaksBelow + " (new topics get " + wanted + ")", Severity.BREAKS,
                        whyBreaks, String.valueOf(wanted)));
            }
            return Optional.of(new Judgement(">= " + wanted + (negativeIsUnlimited ? " or -1" : ""), Severity.DIFFERS,
                    why, String.valueOf(wanted)));
        }
    }

    /**
     * {@code min.insync.replicas}: a majority of the replicas from three replicas on, 1 below. More than the
     * replicas breaks every write: Signalbox's producers are transactional, hence acks=all.
     */
    record MinInsyncReplicas() implements SettingRule {
        public static final String KEY = "min.insync.replicas";

        @Override
        public String key() {
            return KEY;
        }

        @Override
        public String createValue(int replicationFactor) {
            return String.valueOf(TopicRequirements.minInsyncReplicas(replicationFactor));
        }

        @Override
        public Optional<Judgement> judge(String found, int replicationFactor) {
            int wanted = TopicRequirements.minInsyncReplicas(replicationFactor);
            int v;
            try {
                v = found == null ? 1 : Integer.parseInt(found.trim());
            } catch (NumberFormatException e) {
                v = Integer.MAX_VALUE;
            }
            if (v > replicationFactor) {
                return Optional.of(new Judgement("<= " + replicationFactor + " (the replication factor)", Severity.BREAKS,
                        "every write is refused with NOT_ENOUGH_REPLICAS: Signalbox's producers are transactional, hence acks=all",
                        String.valueOf(wanted)));
            }
            if (v < wanted) {
                return Optional.of(new Judgement(">= " + wanted + " (a majority of " + replicationFactor + " replicas)",
                        Severity.DIFFERS, "an acknowledged write may be on one broker only, and lost with it",
                        String.valueOf(wanted)));
            }
            return Optional.empty();
        }
    }
}
