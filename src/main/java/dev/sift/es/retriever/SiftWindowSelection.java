package dev.sift.es.retriever;

import dev.sift.es.SelectionScores;
import dev.sift.es.SelectionSpec;
import dev.sift.es.WindowSelector;
import dev.sift.es.compute.SiftCompute;
import dev.sift.es.vectors.VectorField;
import dev.sift.es.vectors.WindowVectors;
import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.search.ShardSearchFailure;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.sort.ShardDocSortField;

import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The {@code sift} retriever's selection, made once on the coordinating node over its inner search's response: the
 * response's hits are the global window in merged order (by the inner retriever's sort, ties by shard then doc, as
 * a plain search merges them), each carrying its vector from {@link SiftShardVectorFetchSubPhase}.
 *
 * <p>It refuses to select from an incomplete window: a shard that failed (in the query or the fetch phase) or timed
 * out contributed fewer hits or none, so the search fails (with the shards' own reasons and status) instead of
 * returning a selection made without them.
 *
 * <p>The working memory is accounted against the plugin's {@code sift} breaker ({@code sift.breaker.limit}, default
 * 40% of the heap, under the parent breaker): an oversized window fails with a 429 instead of exhausting the heap.
 */
final class SiftWindowSelection {

    /** Picks when the retriever's {@code size} is not given. */
    static final int DEFAULT_SIZE = 10;

    private SiftWindowSelection() {}

    /** The selected hits in the order they are returned, scored, with their picks' figures. */
    static SiftRankDoc[] select(SearchResponse response, SiftWindowExt window, SiftCompute compute) {
        checkComplete(response);
        SearchHit[] hits = response.getHits().getHits();
        SelectionSpec spec = window.spec();
        SiftShardVectorFetchSubPhase.Payload[] payloads = payloads(hits, spec.field());
        int dims = dims(payloads, spec.field());
        if (dims == -1) {
            return new SiftRankDoc[0]; // no hit in the window has a vector: nothing to select from
        }
        // the window packed in one array, charged before it is allocated
        long windowBytes = (long) hits.length * dims * Float.BYTES;
        CircuitBreaker breaker = compute.breaker();
        if (breaker != null) {
            breaker.addEstimateBytesAndMaybeBreak(windowBytes, "sift window vectors");
        }
        try {
            return select(hits, payloads, dims, window, compute);
        } finally {
            if (breaker != null) {
                breaker.addWithoutBreaking(-windowBytes);
            }
        }
    }

    private static SiftRankDoc[] select(
        SearchHit[] hits,
        SiftShardVectorFetchSubPhase.Payload[] payloads,
        int dims,
        SiftWindowExt window,
        SiftCompute compute
    ) {
        SelectionSpec spec = window.spec();
        DecodedWindow decoded = pack(payloads, dims);
        // The query vector is prepared as the shards prepared the documents (normalised for cosine).
        VectorField field = new VectorField(
            spec.field(),
            VectorField.ElementType.FLOAT,
            decoded.vectors().dims(),
            true,
            decoded.cosine(),
            IndexVersion.current()
        );
        float[] targets = field.targets(spec.queryVectors(), window.vectorParameter());
        WindowSelector.Picks picks = WindowSelector.select(
            compute,
            spec,
            targets,
            decoded.vectors(),
            DEFAULT_SIZE,
            window.tasks(),
            compute.breaker()
        );
        String method = spec.method().parseName();
        SiftRankDoc[] selected = new SiftRankDoc[picks.count()];
        for (int n = 0; n < picks.count(); n++) {
            SearchHit hit = hits[picks.positions()[n]];
            long shardDoc = (long) hit.getRawSortValues()[hit.getRawSortValues().length - 1];
            selected[n] = new SiftRankDoc(
                ShardDocSortField.decodeDoc(shardDoc),
                SelectionScores.selected(n, picks.count(), picks.gains()[n], picks.priorVariance()),
                ShardDocSortField.decodeShardRequestIndex(shardDoc),
                method,
                spec.order(),
                new SiftRankDoc.Pick(picks.steps()[n], picks.count(), picks.gains()[n], picks.variances()[n], picks.priorVariance())
            );
            selected[n].rank = n + 1;
        }
        return selected;
    }

    private static void checkComplete(SearchResponse response) {
        if (response.isTimedOut()) {
            throw new ElasticsearchStatusException(
                "[" + SiftRetrieverBuilder.NAME + "] the inner retriever's search timed out on some shards; the global window would be"
                    + " incomplete, so no selection was made",
                RestStatus.GATEWAY_TIMEOUT
            );
        }
        if (response.getFailedShards() == 0) {
            return;
        }
        SortedSet<String> shards = new TreeSet<>();
        RestStatus status = RestStatus.OK;
        String firstReason = null;
        for (ShardSearchFailure failure : response.getShardFailures()) {
            shards.add(failure.index() + "][" + failure.shardId());
            RestStatus s = ExceptionsHelper.status(failure.getCause());
            status = s.getStatus() > status.getStatus() ? s : status;
            firstReason = firstReason == null ? failure.reason() : firstReason;
        }
        ElasticsearchStatusException e = new ElasticsearchStatusException(
            "[" + SiftRetrieverBuilder.NAME + "] shard(s) " + shards.stream().map(s -> "[" + s + "]").toList()
                + " failed in the inner retriever's search (first: " + firstReason
                + "); no selection is made from an incomplete window",
            status
        );
        for (ShardSearchFailure failure : response.getShardFailures()) {
            e.addSuppressed(failure.getCause());
        }
        throw e;
    }

    /** The window's vectors in window order and whether the field uses {@code cosine}. */
    private record DecodedWindow(WindowVectors vectors, boolean cosine) {}

    /**
     * Every hit's payload. Every shard must agree on whether the field uses {@code cosine}, or the kernel would mix
     * two geometries.
     */
    private static SiftShardVectorFetchSubPhase.Payload[] payloads(SearchHit[] hits, String fieldName) {
        SiftShardVectorFetchSubPhase.Payload[] payloads = new SiftShardVectorFetchSubPhase.Payload[hits.length];
        for (int i = 0; i < hits.length; i++) {
            SiftShardVectorFetchSubPhase.Payload hit = SiftShardVectorFetchSubPhase.payload(hits[i]);
            if (hit == null) {
                throw new IllegalStateException("[" + SiftRetrieverBuilder.NAME + "] window hit " + i + " arrived without its vector");
            }
            if (i > 0 && hit.cosine() != payloads[0].cosine()) {
                throw new IllegalArgumentException(
                    "[field] [" + fieldName + "] uses [cosine] similarity in some of the searched indices and not in others;"
                        + " SIFT needs one kernel over the window"
                );
            }
            payloads[i] = hit;
        }
        return payloads;
    }

    /** The dimension every vector of the window has, or -1 if no hit has one; shards must agree on it. */
    private static int dims(SiftShardVectorFetchSubPhase.Payload[] payloads, String fieldName) {
        int dims = -1;
        for (SiftShardVectorFetchSubPhase.Payload hit : payloads) {
            if (hit.vector() == null) {
                continue;
            }
            if (dims == -1) {
                dims = hit.vector().length;
            } else if (hit.vector().length != dims) {
                throw new IllegalArgumentException(
                    "[field] [" + fieldName + "] has different dimensions in the searched indices (" + dims + " and "
                        + hit.vector().length + "); SIFT needs one vector space over the window"
                );
            }
        }
        return dims;
    }

    private static DecodedWindow pack(SiftShardVectorFetchSubPhase.Payload[] payloads, int dims) {
        float[] values = new float[payloads.length * dims];
        boolean[] present = new boolean[payloads.length];
        for (int i = 0; i < payloads.length; i++) {
            if (payloads[i].vector() != null) {
                System.arraycopy(payloads[i].vector(), 0, values, i * dims, dims);
                present[i] = true;
            }
        }
        return new DecodedWindow(new WindowVectors(values, present, dims), payloads.length > 0 && payloads[0].cosine());
    }
}
