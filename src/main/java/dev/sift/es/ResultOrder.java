package dev.sift.es;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The order in which the selected hits are returned. The selection itself (which hits) is the same either way.
 */
public enum ResultOrder {
    /** In the order the method picked them: most informative first, given the ones before. */
    SELECTION,
    /**
     * In the order they came in (the first-pass ranking, e.g. kNN similarity): a ranked list whose top hits are the
     * most relevant, for consumers that weigh early ranks most.
     */
    RELEVANCE;

    public String parseName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ResultOrder fromString(String value) {
        for (ResultOrder o : values()) {
            if (o.parseName().equals(value)) {
                return o;
            }
        }
        throw new IllegalArgumentException(
            "[" + SelectionSpec.ORDER.getPreferredName() + "] must be one of "
                + Arrays.stream(values()).map(ResultOrder::parseName).collect(Collectors.joining(", ", "[", "]"))
                + ", got [" + value + "]"
        );
    }
}
