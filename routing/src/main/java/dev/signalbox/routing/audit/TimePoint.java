package dev.signalbox.routing.audit;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time as the audit commands take it: RFC 3339 ({@code 2026-12-04T13:02:00Z},
 * {@code 2026-12-04T14:02:00+01:00}) or an age relative to now ({@code 90s}, {@code 10m}, {@code 2h},
 * {@code 3d} ago). Pure: now is passed in.
 */
public final class TimePoint {
    private static final Pattern RELATIVE = Pattern.compile("(\\d{1,9})([smhd])");

    private TimePoint() {
    }

    /** @throws IllegalArgumentException with a message a user can act on */
    public static Instant parse(String text, Instant now) {
        String t = text.trim();
        Matcher m = RELATIVE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration ago = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(ago);
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is neither an RFC 3339 time (2026-12-04T13:02:00Z) "
                    + "nor an age (90s, 10m, 2h, 3d)");
        }
    }

    /** "3m ago", "2h ago", "5d ago", or "in 10s" for a time after now: for people, next to the RFC 3339 time. */
    public static String relative(Instant time, Instant now) {
        Duration d = Duration.between(time, now);
        boolean future = d.isNegative();
        long s = Math.abs(d.getSeconds());
        String amount = s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172800 ? s / 3600 + "h" : s / 86400 + "d";
        return future ? "in " + amount : amount + " ago";
    }
}
