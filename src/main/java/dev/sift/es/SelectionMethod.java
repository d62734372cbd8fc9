package dev.sift.es;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The selection a clause makes: SIFT itself, or one of the baselines on the same candidates. */
public enum SelectionMethod {
    /** Greedy SIFT (SIFT.md). */
    SIFT,
    /** The incoming (kNN) order, for A/B tests. */
    NEAREST,
    /** Maximal marginal relevance, as Elasticsearch's {@code diversify} retriever defines it. */
    MMR;

    public String parseName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SelectionMethod fromString(String value) {
        for (SelectionMethod m : values()) {
            if (m.parseName().equals(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
            "[method] must be one of "
                + Arrays.stream(values()).map(SelectionMethod::parseName).collect(Collectors.joining(", ", "[", "]"))
                + ", got [" + value + "]"
        );
    }
}
