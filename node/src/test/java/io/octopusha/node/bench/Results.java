package io.octopusha.node.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one harness run, each beside the baseline measured in the same run, as a Markdown table
 * ({@code results.md}) and as raw CSV ({@code results.csv}).
 */
final class Results {
    /** Whether a larger or a smaller value is the better one, so the target can be checked on the ratio. */
    enum Better { HIGHER, LOWER }

    /**
     * One figure. {@code ratio} is value / baseline; {@code targetRatio} (null: none) is the least (HIGHER) or
     * most (LOWER) ratio the issue asks for, and {@code targetAbsolute} likewise for the value itself.
     */
    record Row(String scenario, String measure, double value, String unit, double baseline, String baselineIs,
               Better better, Double targetRatio, Double targetAbsolute) {
        double ratio() {
            return baseline == 0 ? Double.NaN : value / baseline;
        }

        String target() {
            String op = better == Better.HIGHER ? "≥ " : "≤ ";
            List<String> parts = new ArrayList<>();
            if (targetRatio != null) parts.add(op + format(targetRatio) + "× baseline");
            if (targetAbsolute != null) parts.add(op + format(targetAbsolute) + " " + unit);
            return String.join(", ", parts);
        }

        /** Null when the row has no target. */
        Boolean met() {
            if (targetRatio == null && targetAbsolute == null) return null;
            boolean ok = true;
            if (targetRatio != null) ok &= better == Better.HIGHER ? ratio() >= targetRatio : ratio() <= targetRatio;
            if (targetAbsolute != null) ok &= better == Better.HIGHER ? value >= targetAbsolute : value <= targetAbsolute;
            return ok;
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void add(Row row) {
        rows.add(row);
        System.out.printf(Locale.ROOT, "bench: %s | %s | %s %s (baseline %s: %s) ratio %s%n", row.scenario(),
                row.measure(), format(row.value()), row.unit(), row.baselineIs(), format(row.baseline()), format(row.ratio()));
    }

    /** A line under the table: settings a reader needs to judge a figure. */
    void note(String note) {
        notes.add(note);
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    List<String> notes() {
        return List.copyOf(notes);
    }

    String markdown(String header) {
        StringBuilder t = new StringBuilder(header).append('\n');
        t.append("| scenario | measure | Octopus HA | baseline | ratio | target | met |\n");
        t.append("|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Boolean met = r.met();
            t.append("| ").append(r.scenario())
                    .append(" | ").append(r.measure())
                    .append(" | ").append(format(r.value())).append(' ').append(r.unit())
                    .append(" | ").append(format(r.baseline())).append(' ').append(r.unit()).append(" (").append(r.baselineIs()).append(')')
                    .append(" | ").append(format(r.ratio()))
                    .append(" | ").append(r.target())
                    .append(" | ").append(met == null ? "" : met ? "yes" : "**no**")
                    .append(" |\n");
        }
        if (!notes.isEmpty()) {
            t.append('\n');
            notes.forEach(n -> t.append("- ").append(n).append('\n'));
        }
        return t.toString();
    }

    String csv() {
        StringBuilder c = new StringBuilder("scenario,measure,value,unit,baseline,baseline_is,ratio,target,met\n");
        for (Row r : rows) {
            Boolean met = r.met();
            c.append(csvField(r.scenario())).append(',').append(csvField(r.measure())).append(',')
                    .append(r.value()).append(',').append(csvField(r.unit())).append(',')
                    .append(r.baseline()).append(',').append(csvField(r.baselineIs())).append(',')
                    .append(r.ratio()).append(',').append(csvField(r.target())).append(',')
                    .append(met == null ? "" : met).append('\n');
        }
        return c.toString();
    }

    void write(Path directory, String header) {
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("results.md"), markdown(header));
            Files.writeString(directory.resolve("results.csv"), csv());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "n/a";
        double a = Math.abs(v);
        if (a >= 100) return String.format(Locale.ROOT, "%,.0f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
