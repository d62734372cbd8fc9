package dev.sift.es.bench;

import java.util.Locale;

/**
 * How big the reliability tests run: {@code -Dsift.it.scale=ci} (the default: each test class in a couple of
 * minutes on two cores, for {@code mvn verify}) or {@code full} (the figures the issue asks for: 60 s of load,
 * larger corpora, more fuzz cases; {@code scripts/bench-node reliability}).
 */
public final class Scale {

    public static final String PROPERTY = "sift.it.scale";

    private Scale() {}

    public static boolean full() {
        String v = System.getProperty(PROPERTY, "ci").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "ci", "" -> false;
            case "full" -> true;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + " must be [ci] or [full], got [" + v + "]");
        };
    }

    /** {@code ci} in CI mode, {@code full} in full mode. */
    public static int pick(int ci, int full) {
        return full() ? full : ci;
    }

    public static String name() {
        return full() ? "full" : "ci";
    }
}
