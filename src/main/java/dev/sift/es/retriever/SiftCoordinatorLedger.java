package dev.sift.es.retriever;

import org.elasticsearch.core.Nullable;
import org.elasticsearch.search.rank.RankDoc.RankKey;

import java.util.List;
import java.util.Map;

/**
 * What the coordinating node learns about one {@code sift} selection, passed between the steps that run there:
 * the {@link SiftQueryPhaseCoordinatorContext} records the global window in merged order, the
 * {@link SiftRankCoordinatorContext} reads it (the rank-feature phase hands it the hits back unordered) and
 * records each pick's step and gain, and the {@link SiftRetrieverBuilder} reads those for {@code explain}.
 *
 * <p>It lives in the {@link SiftRankBuilder} of the inner search and is never serialised: all three steps run on
 * the node that coordinates that search, against the same builder instance. A builder read from the wire (a
 * shard's copy) starts with an empty ledger that nothing reads. Each step writes once and a later step reads,
 * on other threads, hence the volatile fields.
 */
final class SiftCoordinatorLedger {

    /** Where one hit was picked: 0-based {@code step} of {@code count} picks, with the engine's figures. */
    record Pick(int step, int count, double gain, double variance, double priorVariance) {}

    @Nullable
    private volatile List<RankKey> window;
    @Nullable
    private volatile Map<RankKey, Pick> picks;

    void recordWindow(List<RankKey> mergedOrder) {
        this.window = List.copyOf(mergedOrder);
    }

    /** The global window, hits in merged order; null if the query phase has not been reduced here. */
    @Nullable
    List<RankKey> window() {
        return window;
    }

    void recordPicks(Map<RankKey, Pick> byHit) {
        this.picks = Map.copyOf(byHit);
    }

    /** Where the hit was picked, or null if it was not (or the selection did not run on this node). */
    @Nullable
    Pick pick(RankKey hit) {
        Map<RankKey, Pick> p = picks;
        return p == null ? null : p.get(hit);
    }
}
