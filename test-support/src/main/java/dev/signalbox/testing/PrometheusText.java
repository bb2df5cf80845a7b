package dev.signalbox.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads what a component's /metrics serves, as Prometheus reads it: the text exposition format 0.0.4, parsed
 * strictly (the Prometheus Java client has no parser). A line that Prometheus would refuse (a bad metric or label
 * name, a bad escape, a value that is not a Go float, a family's samples not together, a TYPE after its samples, a
 * series twice, a histogram whose buckets are not cumulative or whose +Inf bucket is not its count) is an
 * {@link IllegalArgumentException} naming the line. {@link #promtool} additionally runs Prometheus' own
 * {@code promtool check metrics} where it is installed ({@code apt-get install prometheus}).
 */
public final class PrometheusText {
    private static final java.util.regex.Pattern METRIC_NAME = java.util.regex.Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final java.util.regex.Pattern LABEL_NAME = java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private PrometheusText() {
    }

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A parsed exposition: each family's type and every sample, in order. */
    public record Exposition(Map<String, String> types, List<Sample> samples) {
        /** The families the exposition declares with a TYPE line. */
        public Set<String> families() {
            return types.keySet();
        }

        /** The value of the series {@code name} with exactly these labels, or NaN when absent. */
        public double value(String name, String... labelPairs) {
            Map<String, String> want = new HashMap<>();
            for (int i = 0; i + 1 < labelPairs.length; i += 2) {
                want.put(labelPairs[i], labelPairs[i + 1]);
            }
            return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(want))
                    .mapToDouble(Sample::value).findFirst().orElse(Double.NaN);
        }

        /** The sum of every series named {@code name} whose labels include {@code labelPairs}; 0 when none. */
        public double sum(String name, String... labelPairs) {
            return samples.stream().filter(s -> s.name().equals(name) && includes(s.labels(), labelPairs))
                    .mapToDouble(Sample::value).sum();
        }

        /** The series named {@code name}, whatever their labels. */
        public List<Sample> series(String name) {
            return samples.stream().filter(s -> s.name().equals(name)).toList();
        }

        private static boolean includes(Map<String, String> labels, String... pairs) {
            for (int i = 0; i + 1 < pairs.length; i += 2) {
                if (!pairs[i + 1].equals(labels.get(pairs[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    public static Exposition parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        List<Sample> samples = new ArrayList<>();
        Set<String> closedFamilies = new HashSet<>();
        Set<String> seenSeries = new HashSet<>();
        String currentFamily = null;
        String[] lines = text.split("\n", -1);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a newline");
        }
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " (" + line + ")";
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    requireName(parts[2], where);
                    if (parts[1].equals("TYPE")) {
                        if (parts.length != 4 || !TYPES.contains(parts[3])) {
                            throw new IllegalArgumentException("bad TYPE at " + where);
                        }
                        if (types.containsKey(parts[2])) {
                            throw new IllegalArgumentException("second TYPE for " + parts[2] + " at " + where);
                        }
                        if (closedFamilies.contains(parts[2]) || parts[2].equals(currentFamily)) {
                            throw new IllegalArgumentException("TYPE after the samples of " + parts[2] + " at " + where);
                        }
                        types.put(parts[2], parts[3]);
                    }
                }
                continue;
            }
            Sample s = sample(line, where);
            String family = familyOf(s.name(), types);
            if (!family.equals(currentFamily)) {
                if (closedFamilies.contains(family)) {
                    throw new IllegalArgumentException("the samples of " + family + " are not together: " + where);
                }
                if (currentFamily != null) {
                    closedFamilies.add(currentFamily);
                }
                currentFamily = family;
            }
            if (!seenSeries.add(s.name() + new TreeMap<>(s.labels()))) {
                throw new IllegalArgumentException("series twice: " + where);
            }
            samples.add(s);
        }
        checkHistograms(types, samples);
        return new Exposition(Map.copyOf(types), List.copyOf(samples));
    }

    private static String familyOf(String name, Map<String, String> types) {
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String t = types.get(base);
                if ("histogram".equals(t) || ("summary".equals(t) && !suffix.equals("_bucket"))) {
                    return base;
                }
            }
        }
        return name;
    }

    private static void checkHistograms(Map<String, String> types, List<Sample> samples) {
        types.forEach((family, type) -> {
            if (!type.equals("histogram")) {
                return;
            }
            Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
            for (Sample s : samples) {
                if (s.name().equals(family + "_bucket")) {
                    if (!s.labels().containsKey("le")) {
                        throw new IllegalArgumentException(family + ": a bucket without le: " + s);
                    }
                    Map<String, String> rest = new HashMap<>(s.labels());
                    rest.remove("le");
                    buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
                }
            }
            buckets.forEach((labels, list) -> {
                double lastLe = Double.NEGATIVE_INFINITY;
                double lastCount = 0;
                for (Sample b : list) {
                    double le = parseFloat(b.labels().get("le"), family + " le");
                    if (le <= lastLe || b.value() < lastCount) {
                        throw new IllegalArgumentException(family + ": buckets not cumulative in order at " + b);
                    }
                    lastLe = le;
                    lastCount = b.value();
                }
                if (lastLe != Double.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException(family + labels + ": no +Inf bucket");
                }
                double count = samples.stream().filter(s -> s.name().equals(family + "_count") && s.labels().equals(labels))
                        .mapToDouble(Sample::value).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(family + labels + ": no _count"));
                if (count != lastCount) {
                    throw new IllegalArgumentException(family + labels + ": +Inf bucket " + lastCount + " is not _count " + count);
                }
            });
        });
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        requireName(name, where);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new IllegalArgumentException("bad labels at " + where);
                }
                String label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                    throw new IllegalArgumentException("bad label name '" + label + "' at " + where);
                }
                i = eq + 1;
                if (i >= line.length() || line.charAt(i) != '"') {
                    throw new IllegalArgumentException("label value not quoted at " + where);
                }
                i++;
                StringBuilder value = new StringBuilder();
                while (true) {
                    if (i >= line.length()) {
                        throw new IllegalArgumentException("unterminated label value at " + where);
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char e = i < line.length() ? line.charAt(i++) : 0;
                        switch (e) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new IllegalArgumentException("bad escape \\" + e + " at " + where);
                        }
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label, value.toString()) != null) {
                    throw new IllegalArgumentException("label " + label + " twice at " + where);
                }
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                } else if (i >= line.length() || line.charAt(i) != '}') {
                    throw new IllegalArgumentException("bad labels at " + where);
                }
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("no value at " + where);
        }
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length > 2) {
            throw new IllegalArgumentException("trailing text at " + where);
        }
        double value = parseFloat(rest[0], where);
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad timestamp at " + where);
            }
        }
        return new Sample(name, Map.copyOf(labels), value);
    }

    /** A float as Go's strconv.ParseFloat reads it in the exposition: decimal, NaN, +Inf, -Inf. */
    private static double parseFloat(String s, String where) {
        switch (s) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
            case "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!s.matches("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
                    throw new IllegalArgumentException("bad value '" + s + "' at " + where);
                }
                return Double.parseDouble(s);
        }
    }

    private static void requireName(String name, String where) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name '" + name + "' at " + where);
        }
    }

    /**
     * Runs {@code promtool check metrics} on {@code text} when promtool is on the PATH: returns its complaints
     * (lint warnings such as a counter without _total; empty when it has none), or null when promtool is not
     * installed. A text promtool cannot parse is an {@link IllegalArgumentException}.
     */
    public static String promtool(String text) {
        String[] result = run(text, "promtool", "check", "metrics");
        if (result == null) {
            return null;
        }
        // promtool 2.x exits 1 when it cannot parse the text, 3 when it parsed and found lint problems, 0 when clean.
        if (result[0].equals("1")) {
            throw new IllegalArgumentException("promtool cannot parse the exposition: " + result[1]);
        }
        return result[1].strip();
    }

    /**
     * Checks that each of {@code expressions} is valid PromQL with Prometheus' own parser ({@code promtool check rules}
     * on a rule group recording each one): returns what promtool said when one is not (empty when all are), or null
     * when promtool is not installed.
     */
    public static String promql(List<String> expressions) {
        StringBuilder rules = new StringBuilder("groups:\n  - name: checked\n    rules:\n");
        for (int i = 0; i < expressions.size(); i++) {
            rules.append("      - record: checked:expression_").append(i).append("\n        expr: ")
                    .append(yamlString(expressions.get(i))).append('\n');
        }
        java.nio.file.Path file;
        try {
            file = java.nio.file.Files.createTempFile("signalbox-promql", ".yaml");
            java.nio.file.Files.writeString(file, rules);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            String[] result = run("", "promtool", "check", "rules", file.toString());
            return result == null ? null : result[0].equals("0") ? "" : result[1].strip();
        } finally {
            file.toFile().delete();
        }
    }

    /** {@code s} as a JSON string, which is a YAML double-quoted scalar. */
    private static String yamlString(String s) {
        try {
            return dev.signalbox.schemas.codec.Json.MAPPER.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Runs {@code command} with {@code input} on its standard input: its exit status and output, or null when absent. */
    private static String[] run(String input, String... command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return null;
        }
        try {
            try (var in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command[0] + " did not finish");
            }
            return new String[] {String.valueOf(p.exitValue()), out};
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
