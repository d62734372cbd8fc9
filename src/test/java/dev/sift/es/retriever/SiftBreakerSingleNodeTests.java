package dev.sift.es.retriever;

import dev.sift.es.SelectionSpec;
import dev.sift.es.SiftPlugin;
import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.indices.breaker.CircuitBreakerService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.retriever.KnnRetrieverBuilder;
import org.elasticsearch.test.ESSingleNodeTestCase;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The retriever's coordinator accounts its global window against the plugin's own {@code sift} breaker. */
public class SiftBreakerSingleNodeTests extends ESSingleNodeTestCase {

    private static final int DIMS = 64;

    @Override
    protected Collection<Class<? extends Plugin>> getPlugins() {
        return List.of(SiftPlugin.class);
    }

    @Override
    protected Settings nodeSettings() {
        // 20 candidates of 64 floats need about 10 KB of working memory: far more than this limit.
        return Settings.builder().put(super.nodeSettings()).put("sift.breaker.limit", "1kb").build();
    }

    public void testOversizedWindowTripsTheSiftBreakerAndReleasesIt() throws Exception {
        client().admin()
            .indices()
            .prepareCreate("idx")
            .setMapping(
                org.elasticsearch.xcontent.XContentFactory.jsonBuilder()
                    .startObject()
                    .startObject("properties")
                    .startObject("emb")
                    .field("type", "dense_vector")
                    .field("dims", DIMS)
                    .field("similarity", "cosine")
                    .endObject()
                    .endObject()
                    .endObject()
            )
            .get();
        float[] q = new float[DIMS];
        q[0] = 1;
        for (int i = 0; i < 20; i++) {
            float[] v = new float[DIMS];
            v[i % DIMS] = 1;
            v[(i + 1) % DIMS] = 0.5f;
            client().prepareIndex("idx").setId(Integer.toString(i)).setSource("emb", v).get();
        }
        client().admin().indices().prepareRefresh("idx").get();
        List<Float> qList = new ArrayList<>();
        for (float f : q) {
            qList.add(f);
        }
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").queryVector(qList).size(5).build(true);
        SiftRetrieverBuilder retriever = new SiftRetrieverBuilder(new KnnRetrieverBuilder("emb", q, null, 20, 20, null, null), spec, 20);

        Exception e = expectThrows(Exception.class, () -> {
            SearchResponse r = client().prepareSearch("idx").setSource(new SearchSourceBuilder().retriever(retriever)).get();
            r.decRef();
        });
        assertThat(ExceptionsHelper.status(e), equalTo(RestStatus.TOO_MANY_REQUESTS));
        assertThat(ExceptionsHelper.unwrapCause(e).getMessage() + " " + e, containsString("sift"));
        CircuitBreakerService breakers = getInstanceFromNode(CircuitBreakerService.class);
        assertThat("the breaker is released after the failure", breakers.getBreaker("sift").getUsed(), equalTo(0L));
    }
}
