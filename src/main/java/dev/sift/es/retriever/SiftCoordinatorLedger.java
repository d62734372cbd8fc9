package dev.sift.es.retriever;

import org.elasticsearch.core.Nullable;

/**
 * The selection a {@code sift} retriever's inner search made, from the moment {@link SiftSearchTaskFilter} makes it
 * over the inner search's response to the moment the retriever turns it into its result. Both run on the
 * coordinating node against the same {@link SiftWindowExt} instance; it is never serialised. Written once and
 * read on another thread, hence the volatile field.
 */
final class SiftCoordinatorLedger {

    @Nullable
    private volatile SiftRankDoc[] selected;

    void recordSelection(SiftRankDoc[] selection) {
        this.selected = selection;
    }

    /** The selected hits in the order they are returned, or null if no selection was made here. */
    @Nullable
    SiftRankDoc[] selected() {
        return selected;
    }
}
