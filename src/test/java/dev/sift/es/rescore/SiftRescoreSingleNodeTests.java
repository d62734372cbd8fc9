package dev.sift.es.rescore;

import dev.sift.es.ResultOrder;
import dev.sift.es.SelectionMethod;
import dev.sift.es.SelectionSpec;
import dev.sift.es.SiftPlugin;
import dev.sift.testing.BruteForceVariance;
import org.apache.lucene.search.Explanation;
import org.elasticsearch.action.search.SearchPhaseExecutionException;
import org.elasticsearch.action.search.SearchRequestBuilder;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.vectors.KnnSearchBuilder;
import org.elasticsearch.test.ESSingleNodeTestCase;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;

/**
 * The rescore clause on a real (in-JVM) node: planted duplicates that kNN returns and SIFT does not, for every
 * similarity and index type; V(S) of the returned order against a brute-force solve; the unselected tail,
 * hits without vectors, explain, and every shard-level 400.
 */
public class SiftRescoreSingleNodeTests extends ESSingleNodeTestCase {

    private static final int DIMS = 64;

    @Override
    protected Collection<Class<? extends Plugin>> getPlugins() {
        return List.of(SiftPlugin.class);
    }

    /** The seed's example as geometry: two facts about age (an exact and a near copy), one about children. */
    private static Map<String, float[]> corpus(boolean bytes) {
        Map<String, float[]> docs = new LinkedHashMap<>();
        docs.put("age", axis(0, 1f, 63, 0.05f));
        docs.put("age-copy", axis(0, 1f, 63, 0.05f));
        docs.put("born", axis(0, 1f, 62, 0.05f));
        docs.put("kids", axis(1, 1f, 61, 0.05f));
        docs.put("career", axis(2, 1f, 60, 0.05f));
        docs.put("other-a", axis(3, 1f, 59, 0.3f));
        docs.put("other-b", axis(4, 1f, 58, 0.3f));
        if (bytes) {
            docs.replaceAll((id, v) -> scaleToBytes(v));
        } else {
            docs.replaceAll((id, v) -> unit(v));
        }
        return docs;
    }

    private static float[] axis(int main, float weight, int side, float sideWeight) {
        float[] v = new float[DIMS];
        v[main] = weight;
        v[side] = sideWeight;
        return v;
    }

    private static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        n = Math.sqrt(n);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }

    private static float[] scaleToBytes(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.round(v[i] * 100);
        }
        return out;
    }

    /** Asks about age (0.8) and children (0.6). */
    private static float[] query(boolean bytes) {
        float[] q = new float[DIMS];
        q[0] = 0.8f;
        q[1] = 0.6f;
        if (bytes) {
            q[0] = 80;
            q[1] = 60;
        }
        return q;
    }

    private void createIndex(String index, String similarity, String indexType, boolean indexed, String elementType, int shards)
        throws IOException {
        XContentBuilder mapping = XContentFactory.jsonBuilder().startObject().startObject("properties");
        mapping.startObject("emb").field("type", "dense_vector").field("dims", DIMS).field("element_type", elementType);
        mapping.field("index", indexed);
        if (indexed) {
            mapping.field("similarity", similarity);
            mapping.startObject("index_options").field("type", indexType).endObject();
        }
        mapping.endObject();
        mapping.startObject("text").field("type", "keyword").endObject();
        mapping.endObject().endObject();
        client().admin()
            .indices()
            .prepareCreate(index)
            .setSettings(Settings.builder().put("index.number_of_shards", shards).put("index.number_of_replicas", 0))
            .setMapping(mapping)
            .get();
        boolean bytes = elementType.equals("byte");
        for (Map.Entry<String, float[]> doc : corpus(bytes).entrySet()) {
            client().prepareIndex(index).setId(doc.getKey()).setSource("emb", doc.getValue(), "text", doc.getKey()).get();
        }
        client().prepareIndex(index).setId("no-vector").setSource("text", "no-vector").get();
        client().admin().indices().prepareRefresh(index).get();
    }

    private static SiftRescorerBuilder sift(float[] q, int size, boolean keepUnselected) {
        return sift(new SelectionSpec.Builder().field("emb").queryVector(toList(q)).size(size), keepUnselected);
    }

    private static SiftRescorerBuilder sift(SelectionSpec.Builder spec, boolean keepUnselected) {
        return new SiftRescorerBuilder(spec.build(true), keepUnselected);
    }

    private static List<Float> toList(float[] v) {
        List<Float> out = new ArrayList<>();
        for (float f : v) {
            out.add(f);
        }
        return out;
    }

    private SearchRequestBuilder knn(String index, float[] q) {
        return client().prepareSearch(index).setKnnSearch(List.of(new KnnSearchBuilder("emb", q, 10, 20, null, null))).setSize(10);
    }

    /** What a test reads from a response, copied out so that the response can be released at once. */
    private record Hits(List<String> ids, List<Float> scores, List<Explanation> explanations) {
        void assertStrictlyDecreasing() {
            for (int i = 1; i < scores.size(); i++) {
                assertThat("scores must strictly decrease: " + ids + " " + scores, scores.get(i), lessThan(scores.get(i - 1)));
            }
        }
    }

    private static Hits run(SearchRequestBuilder request) {
        SearchResponse response = request.get();
        try {
            List<String> ids = new ArrayList<>();
            List<Float> scores = new ArrayList<>();
            List<Explanation> explanations = new ArrayList<>();
            for (SearchHit hit : response.getHits().getHits()) {
                ids.add(hit.getId());
                scores.add(hit.getScore());
                explanations.add(hit.getExplanation());
            }
            return new Hits(ids, scores, explanations);
        } finally {
            response.decRef();
        }
    }

    private static List<String> ids(SearchRequestBuilder request) {
        return run(request).ids();
    }

    private static boolean isAgeFact(String id) {
        return id.equals("age") || id.equals("age-copy") || id.equals("born");
    }

    public void testPlantedDuplicatesEverySimilarityAndIndexType() throws IOException {
        String[] similarities = { "cosine", "dot_product", "max_inner_product", "l2_norm" };
        String[] indexTypes = { "hnsw", "int8_hnsw", "int4_hnsw", "flat", "int8_flat", "bbq_hnsw", "bbq_flat" };
        int n = 0;
        for (String similarity : similarities) {
            for (String indexType : indexTypes) {
                String index = "idx-" + n++;
                createIndex(index, similarity, indexType, true, "float", 1);
                assertPlantedDuplicates(index, query(false), true);
            }
        }
        for (String similarity : similarities) {
            String index = "bytes-" + n++;
            createIndex(index, similarity, "hnsw", true, "byte", 1);
            assertPlantedDuplicates(index, query(true), true);
        }
        createIndex("unindexed", null, null, false, "float", 1);
        assertPlantedDuplicates("unindexed", query(false), false);
    }

    private void assertPlantedDuplicates(String index, float[] q, boolean knn) {
        SearchRequestBuilder plain = knn ? knn(index, q) : client().prepareSearch(index).setQuery(QueryBuilders.matchAllQuery()).setSize(10);
        List<String> nearest = ids(plain);
        if (knn) {
            assertTrue(index + ": kNN returns the age fact twice: " + nearest, isAgeFact(nearest.get(0)) && isAgeFact(nearest.get(1)));
        }
        SearchRequestBuilder rescored = knn ? knn(index, q) : client().prepareSearch(index).setQuery(QueryBuilders.matchAllQuery()).setSize(10);
        Hits response = run(rescored.addRescorer(sift(q, 3, true), 10));
        List<String> selected = response.ids();
        assertTrue(index + ": SIFT returns age first: " + selected, isAgeFact(selected.get(0)));
        assertThat(index + ": SIFT returns children second: " + selected, selected.get(1), equalTo("kids"));
        response.assertStrictlyDecreasing();
        assertEquals(index, nearest.size(), selected.size());
    }

    public void testVarianceMatchesBruteForce() throws IOException {
        createIndex("exact", "dot_product", "flat", true, "float", 1);
        Map<String, float[]> docs = corpus(false);
        float[] q = query(false);
        double lambda = 0.05;
        SiftRescorerBuilder rescorer = sift(
            new SelectionSpec.Builder().field("emb").queryVector(toList(q)).size(5).lambda(lambda),
            false
        );
        Hits hits = run(knn("exact", q).addRescorer(rescorer, 10).setExplain(true));
        assertThat(hits.ids().size(), equalTo(5));
        // the reference over the corpus, in its order: document i is candidate i
        List<String> ids = new ArrayList<>(docs.keySet());
        float[] candidates = new float[ids.size() * DIMS];
        for (int i = 0; i < ids.size(); i++) {
            System.arraycopy(docs.get(ids.get(i)), 0, candidates, i * DIMS, DIMS);
        }
        BruteForceVariance reference = new BruteForceVariance(candidates, q, DIMS, lambda);
        int[] picked = new int[hits.ids().size()];
        for (int h = 0; h < hits.ids().size(); h++) {
            String id = hits.ids().get(h);
            picked[h] = ids.indexOf(id);
            double expected = reference.variance(picked, h + 1);
            Explanation e = hits.explanations().get(h);
            assertThat(e.getDescription(), containsString("sift pick " + (h + 1) + " of 5"));
            assertEquals("V(S) after " + id, expected, e.getDetails()[1].getValue().doubleValue(), 1e-5);
            assertEquals("prior variance", reference.prior(), e.getDetails()[2].getValue().doubleValue(), 1e-5);
        }
        // and each pick was the greedy one: no remaining document would have lowered V(S) more
        for (int h = 0; h < picked.length; h++) {
            double best = Double.POSITIVE_INFINITY;
            for (int x = 0; x < ids.size(); x++) {
                boolean taken = false;
                for (int t = 0; t < h; t++) {
                    taken |= picked[t] == x; // the clause returns distinct documents
                }
                if (taken == false) {
                    best = Math.min(best, reference.varianceWith(picked, h, x));
                }
            }
            assertEquals("greedy pick " + ids.get(picked[h]), best, reference.variance(picked, h + 1), 1e-6);
        }
    }

    public void testUnselectedTailAndDocsWithoutVectors() throws IOException {
        createIndex("tail", "cosine", "hnsw", true, "float", 1);
        float[] q = query(false);
        Hits all = run(client().prepareSearch("tail").setQuery(QueryBuilders.matchAllQuery()).setSize(20).addRescorer(sift(q, 2, true), 20));
        List<String> ids = all.ids();
        assertThat("every hit is kept, the doc without a vector too: " + ids, ids.size(), equalTo(8));
        assertTrue(ids.contains("no-vector"));
        assertThat(ids.get(1), equalTo("kids"));
        assertThat(all.scores().get(1), greaterThan(1f));
        assertThat(all.scores().get(2), lessThan(1f));
        all.assertStrictlyDecreasing();

        List<String> onlySelected = ids(
            client().prepareSearch("tail").setQuery(QueryBuilders.matchAllQuery()).setSize(20).addRescorer(sift(q, 2, false), 20)
        );
        assertThat(onlySelected.size(), equalTo(2));
        assertThat(onlySelected.get(1), equalTo("kids"));
    }

    public void testStoppingRuleNeverEmptiesTheResult() throws IOException {
        createIndex("stop", "cosine", "hnsw", true, "float", 1);
        float[] q = query(false);
        SiftRescorerBuilder rescorer = sift(new SelectionSpec.Builder().field("emb").queryVector(toList(q)).minGain(1.0), false);
        List<String> kept = ids(knn("stop", q).addRescorer(rescorer, 10));
        assertThat("min_gain 1.0 refuses every pick, yet one hit is kept", kept.size(), equalTo(1));
        assertTrue(isAgeFact(kept.get(0)));
    }

    public void testBaselinesAndQueriesUnderneath() throws IOException {
        createIndex("base", "cosine", "hnsw", true, "float", 1);
        float[] q = query(false);
        SiftRescorerBuilder nearest = sift(new SelectionSpec.Builder().field("emb").queryVector(toList(q)).size(3).method(SelectionMethod.NEAREST), false);
        List<String> plain = ids(knn("base", q).setSize(3));
        assertThat(ids(knn("base", q).setSize(3).addRescorer(nearest, 10)), equalTo(plain));

        SiftRescorerBuilder mmr = sift(
            new SelectionSpec.Builder().field("emb").queryVector(toList(q)).size(3).method(SelectionMethod.MMR).mmrLambda(0.5),
            false
        );
        List<String> diversified = ids(knn("base", q).addRescorer(mmr, 10));
        assertThat(diversified.size(), equalTo(3));
        assertTrue("MMR: most relevant first " + diversified, isAgeFact(diversified.get(0)));
        assertThat("MMR: 0.5·1.6 − 0.5·1 beats any copy of the age fact", diversified.get(1), equalTo("kids"));

        List<String> bool = ids(
            client().prepareSearch("base")
                .setQuery(QueryBuilders.boolQuery().should(QueryBuilders.matchAllQuery()).mustNot(QueryBuilders.termQuery("text", "career")))
                .addRescorer(sift(q, 2, false), 10)
        );
        assertFalse(bool.contains("career"));
        assertThat(bool.get(1), equalTo("kids"));
        List<String> knnQuery = ids(
            client().prepareSearch("base")
                .setQuery(new org.elasticsearch.search.vectors.KnnVectorQueryBuilder("emb", q, 10, 20, null, null))
                .addRescorer(sift(q, 2, false), 10)
        );
        assertThat(knnQuery.get(1), equalTo("kids"));
    }

    public void testShardLevelBadInput() throws IOException {
        createIndex("bad", "cosine", "hnsw", true, "float", 1);
        float[] q = query(false);
        assertBadRequest(sift(new SelectionSpec.Builder().field("nope").queryVector(toList(q)), true), "[field] [nope] does not exist");
        assertBadRequest(sift(new SelectionSpec.Builder().field("text").queryVector(toList(q)), true), "must be a [dense_vector] field");
        assertBadRequest(
            sift(new SelectionSpec.Builder().field("emb").queryVector(List.of(1f, 2f, 3f)), true),
            "[query_vector] has 3 dimensions, but field [emb] has 64"
        );
        assertBadRequest(
            sift(new SelectionSpec.Builder().field("emb").queryVectors(List.of(new float[3])), true),
            "[query_vectors] has 3 dimensions"
        );
        assertBadRequest(sift(new SelectionSpec.Builder().field("emb").queryVector(toList(new float[DIMS])), true), "must not be a zero vector");
        // the node keeps serving
        assertThat(ids(knn("bad", q).addRescorer(sift(q, 2, false), 10)).get(1), equalTo("kids"));
    }

    private void assertBadRequest(SiftRescorerBuilder rescorer, String message) {
        SearchPhaseExecutionException e = expectThrows(
            SearchPhaseExecutionException.class,
            () -> client().prepareSearch("bad").setQuery(QueryBuilders.matchAllQuery()).addRescorer(rescorer, 10).get()
        );
        assertThat(e.status(), equalTo(RestStatus.BAD_REQUEST));
        assertThat(e.shardFailures()[0].reason(), containsString(message));
    }

    public void testExplainOfUnselectedAndOutsideWindow() throws IOException {
        createIndex("explain", "cosine", "hnsw", true, "float", 1);
        float[] q = query(false);
        Hits hits = run(
            client().prepareSearch("explain").setQuery(QueryBuilders.matchAllQuery()).setSize(8).setExplain(true).addRescorer(sift(q, 2, true), 4)
        );
        int selected = 0, notSelected = 0, outside = 0;
        for (Explanation e : hits.explanations()) {
            String d = e.getDescription();
            selected += d.startsWith("sift pick") ? 1 : 0;
            notSelected += d.startsWith("in the window but not selected") ? 1 : 0;
            outside += d.startsWith("outside the window") ? 1 : 0;
        }
        assertThat(selected, equalTo(2));
        assertThat(notSelected, equalTo(2));
        assertThat(outside, equalTo(4));

        // a top-level knn search explains in a context of its own, where the selection is made again: every
        // explanation of the window says so, not only the first one that triggered the recomputation
        Hits knnHits = run(knn("explain", q).setExplain(true).addRescorer(sift(q, 2, true), 4));
        long recomputed = knnHits.explanations().stream().filter(e -> e.getDescription().contains("recomputed")).count();
        assertThat("recomputed in some explanations only: " + knnHits.explanations(), recomputed, equalTo((long) knnHits.ids().size()));
    }

    /** {@code order: relevance} returns the same selected set as selection order, in its incoming (kNN) order. */
    public void testRelevanceOrderListsTheSelectionInIncomingOrder() throws IOException {
        createIndex("order", "cosine", "hnsw", true, "float", 1);
        float[] q = query(false);
        SelectionSpec.Builder spec = new SelectionSpec.Builder().field("emb").queryVector(toList(q)).size(4);
        Hits bySelection = run(knn("order", q).setExplain(true).addRescorer(sift(spec, false), 10));
        Hits byRelevance = run(knn("order", q).setExplain(true).addRescorer(sift(spec.order(ResultOrder.RELEVANCE), false), 10));
        List<String> incoming = ids(knn("order", q));

        assertThat(byRelevance.ids().size(), equalTo(4));
        assertThat(new HashSet<>(byRelevance.ids()), equalTo(new HashSet<>(bySelection.ids())));
        List<String> expected = new ArrayList<>(incoming);
        expected.retainAll(bySelection.ids());
        assertThat(byRelevance.ids(), equalTo(expected));
        byRelevance.assertStrictlyDecreasing();
        for (int i = 0; i < 4; i++) {
            Explanation e = byRelevance.explanations().get(i);
            assertThat(e.getValue().floatValue(), equalTo(byRelevance.scores().get(i)));
            int step = bySelection.ids().indexOf(byRelevance.ids().get(i)) + 1;
            assertThat(e.getDescription(), containsString("sift pick " + step + " of 4, listed " + (i + 1) + " of 4 in relevance order"));
            // the fraction is the pick's own share of the prior uncertainty, whatever its listed position
            float selectionScore = bySelection.scores().get(step - 1);
            assertEquals(selectionScore - (float) Math.floor(selectionScore), e.getValue().floatValue() - (float) Math.floor(e.getValue().floatValue()), 1e-5);
        }
    }
}
