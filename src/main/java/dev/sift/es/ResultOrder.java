package dev.sift.es;

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
        return EnumParameter.name(this);
    }

    public static ResultOrder fromString(String value) {
        return EnumParameter.parse(values(), value, SelectionSpec.ORDER.getPreferredName());
    }
}
