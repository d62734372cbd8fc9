package dev.sift.es.stats;

import dev.sift.engine.kernels.KernelOpsProvider;
import dev.sift.es.SelectionSpec;
import dev.sift.es.SiftPlugin;
import dev.sift.es.compat.SiftStatsRequest;
import dev.sift.es.compute.BackendUsage;
import dev.sift.es.compute.ComputeStats;
import dev.sift.es.rescore.SiftRescorerBuilder;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.action.RestActions;
import org.elasticsearch.search.vectors.KnnSearchBuilder;
import org.elasticsearch.test.ESSingleNodeTestCase;
import org.elasticsearch.xcontent.ToXContent;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentFactory;
import org.elasticsearch.xcontent.XContentType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.nullValue;

/**
 * {@code _sift/stats} on a real (in-JVM) node: what it reports before any search, and that a {@code sift} rescore
 * search moves the counters by one selection per shard window, with that window's candidates.
 */
public class SiftStatsSingleNodeTests extends ESSingleNodeTestCase {

    private static final int DIMS = 8;

    @Override
    protected Collection<Class<? extends Plugin>> getPlugins() {
        return List.of(SiftPlugin.class);
    }

    private SiftStatsResponse stats() {
        return client().execute(TransportSiftStatsAction.TYPE, new SiftStatsRequest()).actionGet();
    }

    private ComputeStats onlyNode(SiftStatsResponse response) {
        assertThat(response.failures().toString(), response.failures().size(), equalTo(0));
        assertThat(response.getNodes().size(), equalTo(1));
        return response.getNodes().get(0).compute();
    }

    /** Indexes {@code docs} random vectors (and one doc without a vector) in an index of {@code shards} shards. */
    private void index(String index, int shards, int docs) throws IOException {
        XContentBuilder mapping = XContentFactory.jsonBuilder().startObject().startObject("properties");
        mapping.startObject("emb").field("type", "dense_vector").field("dims", DIMS).field("similarity", "cosine").endObject();
        mapping.endObject().endObject();
        client().admin()
            .indices()
            .prepareCreate(index)
            .setSettings(Settings.builder().put("index.number_of_shards", shards).put("index.number_of_replicas", 0))
            .setMapping(mapping)
            .get();
        for (int i = 0; i < docs; i++) {
            float[] v = new float[DIMS];
            for (int j = 0; j < DIMS; j++) {
                v[j] = randomFloat() + 0.01f;
            }
            client().prepareIndex(index).setId("d" + i).setSource("emb", v).get();
        }
        client().prepareIndex(index).setId("no-vector").setSource("other", 1).get();
        client().admin().indices().prepareRefresh(index).get();
    }

    private int siftRescoreSearch(String index, int k) {
        List<Float> q = new ArrayList<>();
        float[] query = new float[DIMS];
        for (int j = 0; j < DIMS; j++) {
            query[j] = 1f;
            q.add(1f);
        }
        SiftRescorerBuilder sift = new SiftRescorerBuilder(new SelectionSpec.Builder().field("emb").queryVector(q).size(3).build(true), true);
        SearchResponse response = client().prepareSearch(index)
            .setKnnSearch(List.of(new KnnSearchBuilder("emb", query, k, 100, null, null)))
            .setSize(k)
            .addRescorer(sift, 50)
            .get();
        try {
            return response.getHits().getHits().length;
        } finally {
            response.decRef();
        }
    }

    public void testBeforeAnySelection() {
        ComputeStats stats = onlyNode(stats());
        assertThat(stats.requestedBackend(), equalTo("auto"));
        assertThat(stats.backend(), equalTo("cpu"));
        assertThat(stats.reason(), containsString("[sift.backend] is [auto] and [sift.gpu.device_type] is [gpu] but "));
        assertThat(stats.kernels(), equalTo(KernelOpsProvider.get().ops().name()));
        assertThat(stats.kernelsReason(), equalTo(KernelOpsProvider.get().reason()));
        assertThat(stats.gpu(), nullValue());
        assertTrue(stats.usage().containsKey("cpu"));
    }

    public void testSiftRescoreMovesTheCounters() throws IOException {
        index("one-shard", 1, 12);
        index("two-shards", 2, 12);
        BackendUsage before = onlyNode(stats()).usageOf("cpu");

        assertThat(siftRescoreSearch("one-shard", 10), equalTo(10));
        BackendUsage afterOne = onlyNode(stats()).usageOf("cpu");
        assertThat("one shard, one window: one selection", afterOne.selections() - before.selections(), equalTo(1L));
        assertThat("the window's ten knn hits are the candidates", afterOne.candidates() - before.candidates(), equalTo(10L));
        assertThat(afterOne.nanos(), greaterThan(before.nanos()));

        siftRescoreSearch("two-shards", 10);
        BackendUsage afterTwo = onlyNode(stats()).usageOf("cpu");
        assertThat("each shard selects over its own window", afterTwo.selections() - afterOne.selections(), equalTo(2L));
        assertThat(afterTwo.candidates() - afterOne.candidates(), greaterThan(0L));
        assertThat(afterTwo.nanos(), greaterThan(afterOne.nanos()));

        // A search without the clause selects nothing.
        client().prepareSearch("one-shard").setSize(5).get().decRef();
        assertThat(onlyNode(stats()).usageOf("cpu"), equalTo(afterTwo));
    }

    /** The body {@code GET _sift/stats} answers with (the REST handler renders the response this way). */
    @SuppressWarnings("unchecked")
    public void testResponseJson() throws IOException {
        SiftStatsResponse response = stats();
        XContentBuilder builder = XContentFactory.jsonBuilder();
        RestActions.nodesResponse(builder, ToXContent.EMPTY_PARAMS, response);
        Map<String, Object> json = XContentHelper.convertToMap(XContentType.JSON.xContent(), Strings.toString(builder), false);
        assertThat(((Map<String, Object>) json.get("_nodes")).get("successful"), equalTo(1));
        Map<String, Object> nodes = (Map<String, Object>) json.get("nodes");
        String nodeId = response.getNodes().get(0).getNode().getId();
        Map<String, Object> node = (Map<String, Object>) nodes.get(nodeId);
        assertThat(node.get("name"), equalTo(response.getNodes().get(0).getNode().getName()));
        assertThat(node.get("backend"), equalTo("cpu"));
        assertThat(node, hasKey("gpu"));
        assertThat(node.get("gpu"), nullValue());
        assertThat(((Map<String, Object>) node.get("vectorization")).get("kernels"), equalTo(KernelOpsProvider.get().ops().name()));
        assertThat((Map<String, Object>) ((Map<String, Object>) node.get("selections")).get("cpu"), hasKey("time_in_nanos"));
    }

    public void testRestHandlerRoutes() {
        RestSiftStatsAction handler = new RestSiftStatsAction();
        assertThat(handler.routes().get(0).getPath(), equalTo("/_sift/stats"));
        assertThat(handler.routes().get(1).getPath(), equalTo("/_sift/stats/{node_id}"));
    }
}
