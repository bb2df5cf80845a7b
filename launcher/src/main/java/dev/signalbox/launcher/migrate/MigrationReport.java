package dev.signalbox.launcher.migrate;

import dev.signalbox.compiler.compile.Annotations;
import dev.signalbox.compiler.compile.Annotations.Support;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code bin/ingress migrate} answers: for each Ingress, each of its annotations under the ingress-nginx
 * and Signalbox prefixes with the compiler's own verdict ({@link Annotations}), and the counts. Pure.
 *
 * @param unreadable files that could not be parsed ("file:line: message"); their Ingresses are not in the report
 */
public record MigrationReport(List<IngressReport> ingresses, List<String> unreadable, Summary summary) {

    /** One annotation of one Ingress. */
    public record AnnotationRow(String annotation, String value, Support support, String note) {
    }

    /** @param behavesDifferently whether one of its annotations is not supported as ingress-nginx supports it */
    public record IngressReport(String namespace, String name, boolean behavesDifferently, List<AnnotationRow> annotations) {
    }

    /**
     * How many Ingresses carry an annotation with this verdict: an annotation whose verdict depends on its value has
     * one count per verdict.
     */
    public record AnnotationCount(String annotation, Support support, int ingresses) {
    }

    /**
     * @param annotations the annotation uses (one per Ingress and key) by verdict, every verdict present
     */
    public record Summary(int ingresses, int behaveDifferently, Map<Support, Integer> annotations,
                          List<AnnotationCount> byAnnotation) {
    }

    /** The report on {@code ingresses} (Ingress keys with their state), in key order. */
    public static MigrationReport of(Map<ObjectKey, IngressState> ingresses, List<String> unreadable) {
        List<IngressReport> reports = new ArrayList<>();
        Map<Support, Integer> bySupport = new EnumMap<>(Support.class);
        for (Support s : Support.values()) {
            bySupport.put(s, 0);
        }
        Map<String, AnnotationCount> counts = new TreeMap<>();  // by annotation and verdict
        new TreeMap<>(ingresses).forEach((key, state) -> {
            if (key.kind() != Kind.INGRESS) {
                return;
            }
            List<AnnotationRow> rows = Annotations.review(state).stream()
                    .map(v -> new AnnotationRow(v.annotation(), state.annotations().get(v.annotation()), v.support(), v.note()))
                    .toList();
            for (AnnotationRow r : rows) {
                bySupport.merge(r.support(), 1, Integer::sum);
                counts.merge(r.annotation() + " " + r.support(), new AnnotationCount(r.annotation(), r.support(), 1),
                        (a, b) -> new AnnotationCount(a.annotation(), a.support(), a.ingresses() + 1));
            }
            reports.add(new IngressReport(key.namespace(), key.name(),
                    rows.stream().anyMatch(r -> r.support().differs()), rows));
        });
        List<AnnotationCount> byAnnotation = counts.values().stream()
                .sorted(Comparator.comparingInt(AnnotationCount::ingresses).reversed()
                        .thenComparing(AnnotationCount::annotation).thenComparing(AnnotationCount::support))
                .toList();
        int differ = (int) reports.stream().filter(IngressReport::behavesDifferently).count();
        return new MigrationReport(List.copyOf(reports), List.copyOf(unreadable),
                new Summary(reports.size(), differ, bySupport, byAnnotation));
    }

    /** Whether moving these Ingresses to Signalbox changes what they do (or some could not be read). */
    public boolean differs() {
        return summary.behaveDifferently() > 0 || !unreadable.isEmpty();
    }
}
