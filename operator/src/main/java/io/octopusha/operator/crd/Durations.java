package io.octopusha.operator.crd;

import java.time.Duration;
import java.util.regex.Matcher;

/** Kubernetes-style durations such as 1h, 30m, 1h30m, 90s. */
public final class Durations {
    public static final String PATTERN = "^([0-9]+(h|m|s|ms))+$";
    private static final java.util.regex.Pattern PART = java.util.regex.Pattern.compile("([0-9]+)(h|ms|m|s)");

    private Durations() {
    }

    public static Duration parse(String text) {
        if (text == null || !text.matches(PATTERN)) {
            throw new IllegalArgumentException("not a duration like 1h, 30m or 90s: " + text);
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
        }
        return total;
    }
}
