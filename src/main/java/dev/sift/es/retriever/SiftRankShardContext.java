package dev.sift.es.retriever;

import dev.sift.es.compat.RankFeatureData;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.core.Nullable;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.SearchHits;
import org.elasticsearch.search.fetch.subphase.FetchFieldsContext;
import org.elasticsearch.search.fetch.subphase.FieldAndFormat;
import org.elasticsearch.search.rank.RankShardResult;
import org.elasticsearch.search.rank.context.RankFeaturePhaseRankShardContext;
import org.elasticsearch.search.rank.feature.RankFeatureDoc;
import org.elasticsearch.search.rank.feature.RankFeatureShardResult;

/**
 * Runs on each shard in the inner search's rank-feature phase: turns the shard's part of the global window into
 * the {@link RankFeatureDoc}s sent to the coordinator, each carrying its vector as {@link SiftFeatureData}.
 *
 * <p>The vectors are read from the index, not from {@code _source}, by {@link SiftShardVectorFetchSubPhase}
 * during this phase's fetch, which Elasticsearch runs for the window's docs in doc order before calling
 * {@link #buildRankFeatureShardResult}; it leaves each hit's payload in a {@link DocumentField} named
 * {@link #VECTORS_MARKER}. That name is also what this context asks the fetch phase to load: no mapped field has
 * it, so the fields-fetch sub-phase loads nothing (no {@code _source} is parsed), and its presence is how the
 * sub-phase tells this fetch from the inner search's final one.
 */
final class SiftRankShardContext extends RankFeaturePhaseRankShardContext {

    /** Not a mapped field: a name private to this phase (see the class comment). */
    static final String VECTORS_MARKER = "_sift_window_vectors";

    SiftRankShardContext() {
        super(VECTORS_MARKER);
    }

    /** Whether a fetch was set up by this context, i.e. is the rank-feature phase of a {@code sift} search. */
    static boolean isRankFeatureFetch(@Nullable FetchFieldsContext fetchFields) {
        if (fetchFields == null || fetchFields.fields().size() != 1) {
            return false;
        }
        FieldAndFormat only = fetchFields.fields().get(0);
        return VECTORS_MARKER.equals(only.field);
    }

    /**
     * A hit whose payload is missing (the sub-phase did not run for it) gets no feature data; Elasticsearch drops
     * such hits before the coordinator context sees them, and the coordinator then refuses the incomplete window.
     */
    @Override
    public RankShardResult buildRankFeatureShardResult(SearchHits hits, int shardId) {
        SearchHit[] shardHits = hits.getHits();
        RankFeatureDoc[] docs = new RankFeatureDoc[shardHits.length];
        for (int i = 0; i < shardHits.length; i++) {
            SearchHit hit = shardHits[i];
            docs[i] = new RankFeatureDoc(hit.docId(), hit.getScore(), shardId);
            DocumentField payload = hit.field(VECTORS_MARKER);
            if (payload != null && payload.getValue() instanceof String data) {
                RankFeatureData.set(docs[i], data);
            }
        }
        return new RankFeatureShardResult(docs);
    }
}
