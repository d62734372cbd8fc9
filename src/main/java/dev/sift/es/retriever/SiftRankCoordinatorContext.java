package dev.sift.es.retriever;

import dev.sift.engine.Cancellation;
import dev.sift.es.SelectionScores;
import dev.sift.es.SelectionSpec;
import dev.sift.es.WindowSelector;
import dev.sift.es.compat.RankFeatureData;
import dev.sift.es.compute.SiftCompute;
import dev.sift.es.vectors.VectorField;
import dev.sift.es.vectors.WindowVectors;
import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.rank.RankDoc.RankKey;
import org.elasticsearch.search.rank.context.RankFeaturePhaseRankCoordinatorContext;
import org.elasticsearch.search.rank.feature.RankFeatureDoc;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Runs on the coordinating node at the end of the rank-feature phase: puts the window hits the shards sent back
 * into the merged order the {@link SiftQueryPhaseCoordinatorContext} recorded, decodes their vectors, and runs
 * {@link WindowSelector} once over the whole window. Only the selected hits go on to the fetch phase, in
 * selection order, scored by {@link SelectionScores#selected} (strictly decreasing).
 *
 * <p>It refuses to select from an incomplete window: if any window hit's vector did not arrive (its shard's
 * rank-feature request failed, or its fetch was cut short), the search fails, with the shards' own failures
 * attached, instead of quietly returning a selection made without those hits.
 *
 * <p>Elasticsearch gives rank-feature coordinator contexts no request breaker, so the selection's working memory
 * is accounted against the plugin's own {@code sift} breaker ({@code sift.breaker.limit}, default 40% of the heap,
 * under the parent breaker); an oversized window fails with a 429 instead of exhausting the heap. It is {@code O(K·(d + size))} for a window of {@code K} hits.
 */
final class SiftRankCoordinatorContext extends RankFeaturePhaseRankCoordinatorContext {

    /** Picks when the retriever's {@code size} is not given. */
    static final int DEFAULT_SIZE = 10;

    private final SelectionSpec spec;
    private final String vectorParameter;
    private final SiftCoordinatorLedger ledger;
    /** Checked once per greedy step: the outer and inner searches' tasks (see {@link SelectionTasks}). */
    private final Cancellation cancellation;
    /** The selected hits in selection order, once {@link #computeScores} ran. */
    private volatile RankFeatureDoc[] selected;

    SiftRankCoordinatorContext(
        int size,
        int from,
        int rankWindowSize,
        SelectionSpec spec,
        String vectorParameter,
        SiftCoordinatorLedger ledger,
        Cancellation cancellation
    ) {
        super(size, from, rankWindowSize, false);
        this.spec = spec;
        this.vectorParameter = vectorParameter;
        this.ledger = ledger;
        this.cancellation = cancellation;
    }

    @Override
    protected void computeScores(RankFeatureDoc[] featureDocs, ActionListener<float[]> scoreListener) {
        float[] scores;
        try {
            scores = select(featureDocs);
        } catch (Exception e) {
            scoreListener.onFailure(e);
            return;
        }
        scoreListener.onResponse(scores);
    }

    private float[] select(RankFeatureDoc[] featureDocs) {
        RankFeatureDoc[] window = inWindowOrder(featureDocs);
        DecodedWindow decoded = decode(window);
        WindowVectors vectors = decoded.vectors();
        Map<RankFeatureDoc, Float> scoreOf = new IdentityHashMap<>();
        if (vectors == null) {
            selected = new RankFeatureDoc[0]; // no hit in the window has a vector: nothing to select from
        } else {
            // The query vector is prepared as the shards prepared the documents (normalised for cosine).
            VectorField field = new VectorField(
                spec.field(),
                VectorField.ElementType.FLOAT,
                vectors.dims(),
                true,
                decoded.cosine(),
                IndexVersion.current()
            );
            float[] targets = field.targets(spec.queryVectors(), vectorParameter);
            SiftCompute compute = SiftCompute.current();
            WindowSelector.Picks picks = WindowSelector.select(
                compute,
                spec,
                targets,
                vectors,
                DEFAULT_SIZE,
                cancellation,
                compute.breaker()
            );
            RankFeatureDoc[] chosen = new RankFeatureDoc[picks.count()];
            Map<RankKey, SiftCoordinatorLedger.Pick> byHit = new HashMap<>();
            for (int n = 0; n < picks.count(); n++) {
                RankFeatureDoc hit = window[picks.positions()[n]];
                chosen[n] = hit;
                scoreOf.put(hit, SelectionScores.selected(n, picks.count(), picks.gains()[n], picks.priorVariance()));
                byHit.put(
                    new RankKey(hit.doc, hit.shardIndex),
                    new SiftCoordinatorLedger.Pick(
                        picks.steps()[n],
                        picks.count(),
                        picks.gains()[n],
                        picks.variances()[n],
                        picks.priorVariance()
                    )
                );
            }
            ledger.recordPicks(byHit);
            selected = chosen;
        }
        float[] scores = new float[featureDocs.length];
        for (int i = 0; i < featureDocs.length; i++) {
            scores[i] = scoreOf.getOrDefault(featureDocs[i], 0f);
        }
        return scores;
    }

    /** The hits in merged order; fails if any window hit is missing. */
    private RankFeatureDoc[] inWindowOrder(RankFeatureDoc[] featureDocs) {
        List<RankKey> order = ledger.window();
        if (order == null) {
            throw new IllegalStateException("[" + SiftRetrieverBuilder.NAME + "] the global window was not recorded on this node");
        }
        Map<RankKey, RankFeatureDoc> arrived = new HashMap<>();
        for (RankFeatureDoc doc : featureDocs) {
            arrived.put(new RankKey(doc.doc, doc.shardIndex), doc);
        }
        RankFeatureDoc[] window = new RankFeatureDoc[order.size()];
        int missing = 0;
        SortedSet<Integer> missingShards = new TreeSet<>();
        for (int i = 0; i < window.length; i++) {
            window[i] = arrived.get(order.get(i));
            if (window[i] == null) {
                missing++;
                missingShards.add(order.get(i).shardIndex());
            }
        }
        if (missing > 0) {
            throw new ElasticsearchStatusException(
                "[" + SiftRetrieverBuilder.NAME + "] the vectors of " + missing + " of the " + window.length
                    + " hits in the global window did not arrive from shard(s) " + missingShards
                    + " (their rank-feature phase failed or was cut short); no selection is made from an incomplete window",
                RestStatus.SERVICE_UNAVAILABLE
            );
        }
        return window;
    }

    /** The window's vectors in window order ({@code vectors} null if no hit has one) and the field's similarity. */
    private record DecodedWindow(WindowVectors vectors, boolean cosine) {}

    /**
     * Decodes every hit's payload. Every shard must agree on the field's dimension and on whether it uses
     * {@code cosine}, or the kernel would mix two geometries.
     */
    private DecodedWindow decode(RankFeatureDoc[] window) {
        SiftFeatureData.Header[] headers = new SiftFeatureData.Header[window.length];
        int dims = -1;
        Boolean cosine = null;
        for (int i = 0; i < window.length; i++) {
            SiftFeatureData.Header hit = SiftFeatureData.header(RankFeatureData.get(window[i]));
            headers[i] = hit;
            if (cosine == null) {
                cosine = hit.cosine();
            } else if (cosine != hit.cosine()) {
                throw new IllegalArgumentException(
                    "[field] [" + spec.field() + "] uses [cosine] similarity in some of the searched indices and not in others;"
                        + " SIFT needs one kernel over the window"
                );
            }
            if (hit.hasVector()) {
                if (dims == -1) {
                    dims = hit.dims();
                } else if (hit.dims() != dims) {
                    throw new IllegalArgumentException(
                        "[field] [" + spec.field() + "] has different dimensions in the searched indices (" + dims + " and "
                            + hit.dims() + "); SIFT needs one vector space over the window"
                    );
                }
            }
        }
        if (dims == -1) {
            return new DecodedWindow(null, Boolean.TRUE.equals(cosine));
        }
        float[] values = new float[window.length * dims]; // decoded in place: no per-hit arrays
        boolean[] present = new boolean[window.length];
        for (int i = 0; i < window.length; i++) {
            if (headers[i].hasVector()) {
                SiftFeatureData.decodeInto(RankFeatureData.get(window[i]), headers[i], values, i * dims);
                present[i] = true;
            }
        }
        return new DecodedWindow(new WindowVectors(values, present, dims), cosine);
    }

    /** The selected hits, in selection order, paginated by the inner search's {@code from}/{@code size}. */
    @Override
    public RankFeatureDoc[] rankAndPaginate(RankFeatureDoc[] rankFeatureDocs, boolean rerankedScores) {
        RankFeatureDoc[] picks = selected;
        if (picks == null) {
            throw new IllegalStateException("[" + SiftRetrieverBuilder.NAME + "] no selection was made");
        }
        int start = Math.min(from, picks.length);
        int end = (int) Math.min(picks.length, (long) from + size);
        RankFeatureDoc[] page = Arrays.copyOfRange(picks, start, end);
        for (int i = 0; i < page.length; i++) {
            page[i].rank = start + i + 1;
        }
        return page;
    }
}
