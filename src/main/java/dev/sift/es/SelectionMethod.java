package dev.sift.es;

/** The selection a clause makes: SIFT itself, or one of the baselines on the same candidates. */
public enum SelectionMethod {
    /** Greedy SIFT (docs/sift.md). */
    SIFT,
    /** The incoming (kNN) order, for A/B tests. */
    NEAREST,
    /** Maximal marginal relevance, as Elasticsearch's {@code diversify} retriever defines it. */
    MMR;

    public String parseName() {
        return EnumParameter.name(this);
    }

    public static SelectionMethod fromString(String value) {
        return EnumParameter.parse(values(), value, SelectionSpec.METHOD.getPreferredName());
    }
}
