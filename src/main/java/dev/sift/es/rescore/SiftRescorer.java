package dev.sift.es.rescore;

import dev.sift.es.ResultOrder;
import dev.sift.es.SelectionScores;
import dev.sift.es.WindowSelector;
import dev.sift.es.vectors.WindowVectorReader;
import dev.sift.es.vectors.WindowVectors;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.Rescorer;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Re-ranks a shard's window: selected hits first in selection order, then (with {@code keep_unselected}) the
 * window's other hits and the hits past the window, each in their incoming order; scores as in
 * {@link SelectionScores}. Stateless; what explain needs is kept in the {@link SiftRescoreContext}.
 */
final class SiftRescorer implements Rescorer {

    static final SiftRescorer INSTANCE = new SiftRescorer();

    private SiftRescorer() {}

    @Override
    public TopDocs rescore(TopDocs topDocs, IndexSearcher searcher, RescoreContext rescoreContext) throws IOException {
        if (topDocs == null || topDocs.scoreDocs.length == 0) {
            return topDocs;
        }
        SiftRescoreContext context = (SiftRescoreContext) rescoreContext;
        ScoreDoc[] incoming = topDocs.scoreDocs;
        int[] windowDocs = new int[Math.min(context.getWindowSize(), incoming.length)];
        for (int i = 0; i < windowDocs.length; i++) {
            windowDocs[i] = incoming[i].doc;
        }
        context.setRescoredDocs(toSet(windowDocs));
        WindowSelector.Picks picks = select(searcher, context, windowDocs);
        if (picks.count() == 0) {
            return topDocs; // no hit in the window has a vector: nothing to select from, the order stands
        }
        context.recordPicks(windowDocs, picks);
        return new TopDocs(topDocs.totalHits, reorder(incoming, picks, context.keepUnselected(), context.hitsLimit()));
    }

    private static WindowSelector.Picks select(IndexSearcher searcher, SiftRescoreContext context, int[] windowDocs)
        throws IOException {
        // The window's vectors are charged before they are read, so a window too large for the heap is refused
        // (429) before its K·d floats are allocated; WindowSelector charges the selection's own state.
        Integer dims = context.field().dims();
        long vectorBytes = dims == null ? 0 : (long) windowDocs.length * dims * Float.BYTES;
        CircuitBreaker breaker = context.breaker();
        if (breaker != null) {
            breaker.addEstimateBytesAndMaybeBreak(vectorBytes, "sift window vectors");
        }
        try {
            WindowVectors vectors = WindowVectorReader.read(searcher.getIndexReader(), context.field(), windowDocs);
            return WindowSelector.select(
                context.compute(),
                context.spec(),
                context.targets(),
                vectors,
                windowDocs.length,
                context::checkCancellation,
                breaker
            );
        } finally {
            if (breaker != null) {
                breaker.addWithoutBreaking(-vectorBytes);
            }
        }
    }

    /**
     * Selected hits first, then, if kept, every other incoming hit in its incoming order; the first {@code limit}
     * of those. The scores are those of the whole order, so the limit changes none of them.
     */
    private static ScoreDoc[] reorder(ScoreDoc[] incoming, WindowSelector.Picks picks, boolean keepUnselected, int limit) {
        int selected = picks.count();
        boolean[] isSelected = new boolean[incoming.length];
        ScoreDoc[] out = new ScoreDoc[keepUnselected ? incoming.length : selected];
        for (int n = 0; n < selected; n++) {
            int position = picks.positions()[n];
            isSelected[position] = true;
            float score = SelectionScores.selected(n, selected, picks.gains()[n], picks.priorVariance());
            out[n] = new ScoreDoc(incoming[position].doc, score, incoming[position].shardIndex);
        }
        if (keepUnselected) {
            int following = incoming.length - selected;
            for (int i = 0, p = 0; i < incoming.length; i++) {
                if (isSelected[i] == false) {
                    out[selected + p] = new ScoreDoc(incoming[i].doc, SelectionScores.following(p, following), incoming[i].shardIndex);
                    p++;
                }
            }
        }
        return out.length > limit ? Arrays.copyOf(out, limit) : out;
    }

    private static Set<Integer> toSet(int[] docs) {
        Set<Integer> set = new HashSet<>(docs.length * 2);
        for (int doc : docs) {
            set.add(doc);
        }
        return set;
    }

    /**
     * Explains a selected hit: its step, gain, the posterior variance after it, and the prior variance. When the
     * fetch phase runs in another context than the query phase (multi-shard searches), the window is known only
     * as a set of docs, so the selection is made again over it in doc-id order; it can then differ from the
     * query phase's only where two candidates have exactly equal gains.
     */
    @Override
    public Explanation explain(int topLevelDocId, IndexSearcher searcher, RescoreContext rescoreContext, Explanation sourceExplanation)
        throws IOException {
        SiftRescoreContext context = (SiftRescoreContext) rescoreContext;
        boolean relevanceOrder = context.spec().order() == ResultOrder.RELEVANCE;
        if (context.hasPicks() == false && context.isRescored(topLevelDocId)) {
            int[] windowDocs = context.getRescoredDocs().stream().mapToInt(Integer::intValue).sorted().toArray();
            context.recordRecomputedPicks(windowDocs, select(searcher, context, windowDocs));
        }
        String origin = "";
        if (context.picksRecomputed()) {
            origin = relevanceOrder
                ? " (recomputed over the window in doc-id order, which this phase knows instead of the incoming order:"
                    + " the listed position and score are by doc id)"
                : " (recomputed over the window in doc-id order)";
        }
        Explanation firstPass = sourceExplanation == null ? Explanation.noMatch("no first-pass explanation") : sourceExplanation;
        SiftRescoreContext.Pick pick = context.pickOf(topLevelDocId);
        String method = context.spec().method().parseName();
        if (pick == null) {
            String why = context.isRescored(topLevelDocId) ? "in the window but not selected by " : "outside the window of ";
            return Explanation.match(0f, why + method + origin, firstPass);
        }
        String listed = relevanceOrder
            ? ", listed " + (pick.rank() + 1) + " of " + pick.selectedCount() + " in relevance order" + origin
                + ": score = selected hits listed from here on + gain / (2 * prior variance)"
            : origin + ": score = picks left + gain / (2 * prior variance)";
        return Explanation.match(
            SelectionScores.selected(pick.rank(), pick.selectedCount(), pick.gain(), pick.priorVariance()),
            method + " pick " + (pick.step() + 1) + " of " + pick.selectedCount() + listed,
            Explanation.match((float) pick.gain(), "gain: posterior variance removed by this pick"),
            Explanation.match((float) pick.variance(), "posterior variance after this pick, V(S_" + (pick.step() + 1) + ")"),
            Explanation.match((float) pick.priorVariance(), "prior variance V([])"),
            firstPass
        );
    }
}
