package dev.sift.es.rescore;

import dev.sift.es.SelectionSpec;
import dev.sift.es.WindowSelector;
import dev.sift.es.compute.SiftCompute;
import dev.sift.es.vectors.VectorField;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.core.Nullable;
import org.elasticsearch.search.rescore.RescoreContext;

import java.util.HashMap;
import java.util.Map;

/**
 * One shard's view of a {@code sift} clause: the resolved field, the prepared targets, and, once the window has
 * been rescored, where each selected doc was picked (for {@code explain}).
 */
final class SiftRescoreContext extends RescoreContext {

    /**
     * Where a doc was picked: its 0-based {@code step} among {@code selectedCount} picks, and its 0-based
     * {@code rank} among them as returned (the same unless {@code order} is {@code relevance}).
     */
    record Pick(int step, int rank, int selectedCount, double gain, double variance, double priorVariance) {}

    private final SelectionSpec spec;
    private final boolean keepUnselected;
    private final VectorField field;
    private final float[] targets;
    private final SiftCompute compute;
    /** Shard doc id to its pick; empty until the window was rescored in this context. */
    private final Map<Integer, Pick> picks = new HashMap<>();
    /** The most hits the rescorer returns: unlimited unless {@link ShardHitsLimit} says how many the search needs. */
    private int hitsLimit = Integer.MAX_VALUE;
    private boolean picksRecomputed;

    SiftRescoreContext(
        int windowSize,
        SelectionSpec spec,
        boolean keepUnselected,
        VectorField field,
        float[] targets,
        SiftCompute compute
    ) {
        super(windowSize, SiftRescorer.INSTANCE);
        this.spec = spec;
        this.keepUnselected = keepUnselected;
        this.field = field;
        this.targets = targets;
        this.compute = compute;
    }

    SelectionSpec spec() {
        return spec;
    }

    boolean keepUnselected() {
        return keepUnselected;
    }

    VectorField field() {
        return field;
    }

    float[] targets() {
        return targets;
    }

    SiftCompute compute() {
        return compute;
    }

    /** The node's request breaker, which accounts the window; null outside a node. */
    @Nullable
    CircuitBreaker breaker() {
        return compute.requestBreaker();
    }

    /** Makes the rescorer return at most {@code limit} (at least 1) hits: the rest could never reach the response. */
    void limitHits(int limit) {
        this.hitsLimit = Math.max(1, limit);
    }

    int hitsLimit() {
        return hitsLimit;
    }

    boolean hasPicks() {
        return picks.isEmpty() == false;
    }

    /** Records picks made again for {@code explain}, when this context did not see the query phase's selection. */
    void recordRecomputedPicks(int[] windowDocs, WindowSelector.Picks selected) {
        recordPicks(windowDocs, selected);
        picksRecomputed = true;
    }

    /** Whether the picks were made again for {@code explain} (every explanation from this context says so). */
    boolean picksRecomputed() {
        return picksRecomputed;
    }

    void recordPicks(int[] windowDocs, WindowSelector.Picks selected) {
        picks.clear();
        for (int n = 0; n < selected.count(); n++) {
            picks.put(
                windowDocs[selected.positions()[n]],
                new Pick(
                    selected.steps()[n],
                    n,
                    selected.count(),
                    selected.gains()[n],
                    selected.variances()[n],
                    selected.priorVariance()
                )
            );
        }
    }

    @Nullable
    Pick pickOf(int doc) {
        return picks.get(doc);
    }
}
