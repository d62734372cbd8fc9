package dev.sift.es.retriever;

import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldDocs;
import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.action.search.SearchPhaseController.TopDocsStats;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.query.QuerySearchResult;
import org.elasticsearch.search.rank.RankDoc.RankKey;
import org.elasticsearch.search.rank.context.QueryPhaseRankCoordinatorContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs on the coordinating node after the inner search's query phase: merges the shards' top hits into the global
 * window of {@code rank_window_size} hits exactly as a plain search merges them (by the inner retriever's sort,
 * which the compound retriever ends with {@code _shard_doc}, so ties go to the lower shard, then the lower doc),
 * and records that order in the {@link SiftCoordinatorLedger}.
 *
 * <p>Elasticsearch would merge the same way without this context; it exists because the rank-feature phase that
 * follows hands the coordinator the window's hits back grouped by shard and without their sort values, and SIFT
 * needs the incoming order (ties in gain go to the earlier hit; {@code nearest} and {@code mmr} start from it).
 *
 * <p>A shard whose query phase timed out contributed a truncated list, so the window would be silently wrong:
 * that fails the search ({@code 504}) rather than selecting from it.
 */
final class SiftQueryPhaseCoordinatorContext extends QueryPhaseRankCoordinatorContext {

    private final SiftCoordinatorLedger ledger;

    SiftQueryPhaseCoordinatorContext(int rankWindowSize, SiftCoordinatorLedger ledger) {
        super(rankWindowSize);
        this.ledger = ledger;
    }

    @Override
    public ScoreDoc[] rankQueryPhaseResults(List<QuerySearchResult> querySearchResults, TopDocsStats topDocStats) {
        List<TopDocs> shardTops = new ArrayList<>(querySearchResults.size());
        List<Integer> timedOut = new ArrayList<>();
        for (QuerySearchResult result : querySearchResults) {
            if (result.searchTimedOut()) {
                timedOut.add(result.getShardIndex());
            }
            if (result.hasConsumedTopDocs()) {
                // Only a data-node-side reduce (the batched query phase, off in 8.19 release builds) consumes them.
                throw new IllegalStateException("[sift] cannot build the global window: the top hits of shard ["
                    + result.getShardIndex() + "] were already merged away");
            }
            TopDocs top = result.topDocs().topDocs;
            for (ScoreDoc doc : top.scoreDocs) {
                doc.shardIndex = result.getShardIndex();
            }
            if (top.scoreDocs.length > 0) {
                shardTops.add(top);
            }
        }
        if (timedOut.isEmpty() == false || topDocStats.timedOut) {
            throw new ElasticsearchStatusException(
                "[" + SiftRetrieverBuilder.NAME + "] shard(s) " + timedOut + " timed out in the query phase of the inner retriever;"
                    + " the global window would be incomplete, so no selection was made",
                RestStatus.GATEWAY_TIMEOUT
            );
        }
        ScoreDoc[] window = merge(shardTops);
        List<RankKey> order = new ArrayList<>(window.length);
        for (ScoreDoc doc : window) {
            order.add(new RankKey(doc.doc, doc.shardIndex));
        }
        ledger.recordWindow(order);
        topDocStats.fetchHits = window.length;
        return window;
    }

    /** Lucene's merge, as Elasticsearch's own: by the sort when the shards sorted, ties by shard then doc. */
    private ScoreDoc[] merge(List<TopDocs> shardTops) {
        if (shardTops.isEmpty()) {
            return new ScoreDoc[0];
        }
        if (shardTops.stream().allMatch(TopFieldDocs.class::isInstance)) {
            TopFieldDocs[] sorted = shardTops.toArray(TopFieldDocs[]::new);
            return TopDocs.merge(new Sort(sorted[0].fields), 0, rankWindowSize, sorted).scoreDocs;
        }
        return TopDocs.merge(0, rankWindowSize, shardTops.toArray(TopDocs[]::new)).scoreDocs;
    }
}
