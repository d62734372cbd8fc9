package dev.sift.es.retriever;

import dev.sift.engine.MmrSelector;
import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.SiftSelector;
import dev.sift.engine.kernels.KernelOps;
import dev.sift.engine.kernels.KernelOpsProvider;
import dev.sift.es.SelectionMethod;
import dev.sift.es.SelectionScores;
import dev.sift.es.SelectionSpec;
import dev.sift.es.SiftPlugin;
import dev.sift.es.rescore.SiftRescorerBuilder;
import org.apache.lucene.search.Explanation;
import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.bulk.BulkRequestBuilder;
import org.elasticsearch.action.search.SearchPhaseExecutionException;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.search.ShardSearchFailure;
import org.elasticsearch.action.support.WriteRequest;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.index.query.TermsQueryBuilder;
import org.elasticsearch.search.rescore.QueryRescorerBuilder;
import org.elasticsearch.search.retriever.KnnRetrieverBuilder;
import org.elasticsearch.search.retriever.RescorerRetrieverBuilder;
import org.elasticsearch.search.retriever.RetrieverBuilder;
import org.elasticsearch.search.vectors.KnnSearchBuilder;
import org.elasticsearch.test.ESIntegTestCase;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentFactory;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.sift.testing.TestVectors.add;
import static dev.sift.testing.TestVectors.gaussian;
import static dev.sift.testing.TestVectors.unit;
import static dev.sift.testing.TestVectors.scale;
import static dev.sift.testing.TestVectors.dot;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * The {@code sift} retriever on a 3-node in-JVM cluster. The core check: for indexes of 1, 2 and 5 shards spread
 * over 1 to 3 nodes, queried through any node, the retriever returns exactly the selection the engine makes over
 * the global window computed here (the indexed vectors in the merged kNN order), with the engine's scores.
 * Also: explain, a vector field excluded from {@code _source}, pagination, nesting, the difference from the
 * per-shard rescore clause on planted duplicates, every shard-level 400, and a clear error instead of a
 * selection over an incomplete window.
 */
@ESIntegTestCase.ClusterScope(scope = ESIntegTestCase.Scope.SUITE, numDataNodes = 3, numClientNodes = 0, supportsDedicatedMasters = false)
public class SiftRetrieverClusterTests extends ESIntegTestCase {

    private static final int DIMS = 16;
    private static final KernelOps OPS = KernelOpsProvider.get().ops();

    @Override
    protected Collection<Class<? extends Plugin>> nodePlugins() {
        return List.of(SiftPlugin.class);
    }

    /** An index's documents: id to the unit vector indexed, and the query that goes with them. */
    private record Corpus(Map<String, float[]> vectors, float[] query) {}

    // ------------------------------------------------------------------------------------------ the core check

    public void testOneShardOnOneNode() throws IOException {
        assertMatchesEngine("one-shard", 1, 1, 80, 30, 8, SelectionMethod.SIFT);
    }

    public void testTwoShardsOnTwoNodes() throws IOException {
        assertMatchesEngine("two-shards", 2, 2, 100, 40, 10, SelectionMethod.SIFT);
    }

    public void testFiveShardsOnThreeNodes() throws IOException {
        assertMatchesEngine("five-shards", 5, 3, 150, 60, 12, SelectionMethod.SIFT);
    }

    public void testFiveShardsOnOneNode() throws IOException {
        assertMatchesEngine("five-shards-one-node", 5, 1, 120, 50, 10, SelectionMethod.SIFT);
    }

    public void testMmrOverTheGlobalWindow() throws IOException {
        assertMatchesEngine("mmr", 5, 3, 120, 50, 10, SelectionMethod.MMR);
    }

    private void assertMatchesEngine(String index, int shards, int nodes, int docs, int window, int size, SelectionMethod method)
        throws IOException {
        Corpus corpus = corpus(new Random(index.hashCode()), docs, 12, 0.15f);
        createIndex(index, shards, nodes, false);
        indexCorpus(index, corpus, Map.of());

        List<String> windowIds = knnOrder(index, corpus.query(), window);
        assertThat(new HashSet<>(windowIds), equalTo(new HashSet<>(bruteForceTop(corpus, window))));

        SelectionSpec.Builder spec = new SelectionSpec.Builder().field("emb").size(size).lambda(0.01).method(method);
        if (method == SelectionMethod.MMR) {
            spec.mmrLambda(0.6);
        }
        Selection expected = engine(corpus, windowIds, corpus.query(), spec.build(false), size);
        List<String> expectedIds = idsOf(windowIds, expected.selected());
        assertThat("the selection must differ from the kNN prefix", expectedIds, not(equalTo(windowIds.subList(0, size))));

        for (String node : internalCluster().getNodeNames()) { // every node coordinates once
            SiftRetrieverBuilder retriever = siftOverKnn(corpus.query(), spec.build(false), window);
            SearchResponse response = search(client(node), index, retriever, null, null, false);
            try {
                assertThat(response.getFailedShards(), equalTo(0));
                assertThat("via " + node, ids(response), equalTo(expectedIds));
                float[] scores = scores(response);
                for (int n = 0; n < scores.length; n++) {
                    float engineScore = SelectionScores.selected(n, expected.selected().length, expected.gain(n), expected.priorVariance());
                    assertThat(scores[n], equalTo(engineScore));
                    if (n > 0) {
                        assertThat(scores[n], lessThan(scores[n - 1]));
                    }
                }
            } finally {
                response.decRef();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ features

    public void testTakesTheVectorFromTheInnerKnnRetriever() throws IOException {
        Corpus corpus = corpus(new Random(7), 80, 10, 0.15f);
        createIndex("knn-vector", 3, 3, false);
        indexCorpus("knn-vector", corpus, Map.of());
        SelectionSpec withVector = new SelectionSpec.Builder().field("emb").queryVector(toList(corpus.query())).size(6).build(false);
        SelectionSpec without = new SelectionSpec.Builder().field("emb").size(6).build(false);
        List<String> explicit = searchIds("knn-vector", new SiftRetrieverBuilder(knn(corpus.query(), 40), withVector, 40));
        List<String> fromKnn = searchIds("knn-vector", new SiftRetrieverBuilder(knn(corpus.query(), 40), without, 40));
        assertThat(fromKnn, equalTo(explicit));
        assertThat(explicit.size(), equalTo(6));
    }

    public void testVectorExcludedFromSource() throws IOException {
        Corpus corpus = corpus(new Random(11), 100, 10, 0.15f);
        createIndex("no-source", 4, 3, true);
        indexCorpus("no-source", corpus, Map.of());
        List<String> windowIds = knnOrder("no-source", corpus.query(), 40);
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").size(8).build(false);
        List<String> expected = idsOf(windowIds, engine(corpus, windowIds, corpus.query(), spec, 8).selected());
        SearchResponse response = search(client(), "no-source", siftOverKnn(corpus.query(), spec, 40), null, null, false);
        try {
            assertThat(ids(response), equalTo(expected));
            for (SearchHit hit : response.getHits().getHits()) {
                Map<String, Object> source = hit.getSourceAsMap();
                assertThat(source.containsKey("emb"), equalTo(false));
                assertThat(source.get("group"), equalTo(hit.getId()));
            }
        } finally {
            response.decRef();
        }
    }

    public void testExplain() throws IOException {
        Corpus corpus = corpus(new Random(13), 80, 10, 0.15f);
        createIndex("explain", 3, 2, false);
        indexCorpus("explain", corpus, Map.of());
        List<String> windowIds = knnOrder("explain", corpus.query(), 40);
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").size(5).build(false);
        Selection expected = engine(corpus, windowIds, corpus.query(), spec, 5);
        SearchResponse response = search(client(), "explain", siftOverKnn(corpus.query(), spec, 40), null, null, true);
        try {
            SearchHit[] hits = response.getHits().getHits();
            assertThat(hits.length, equalTo(5));
            for (int n = 0; n < hits.length; n++) {
                Explanation e = hits[n].getExplanation();
                assertThat(e.getDescription(), containsString("sift pick " + (n + 1) + " of 5 over the global window"));
                assertThat(e.getValue().floatValue(), equalTo(hits[n].getScore()));
                Explanation[] details = e.getDetails();
                assertThat(details[0].getDescription(), containsString("gain"));
                assertThat(details[0].getValue().floatValue(), equalTo((float) expected.gain(n)));
                assertThat(details[1].getDescription(), containsString("V(S_" + (n + 1) + ")"));
                assertThat(details[1].getValue().floatValue(), equalTo((float) expected.variance(n)));
                assertThat(details[2].getDescription(), containsString("prior variance"));
                assertThat(details[2].getValue().floatValue(), equalTo((float) expected.priorVariance()));
                assertThat(details[3].getDescription(), containsString("inner retriever"));
            }
        } finally {
            response.decRef();
        }
    }

    public void testFromAndSizePaginateTheSelection() throws IOException {
        Corpus corpus = corpus(new Random(17), 90, 10, 0.15f);
        createIndex("pages", 3, 3, false);
        indexCorpus("pages", corpus, Map.of());
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").size(9).build(false);
        List<String> all = searchIds("pages", new SiftRetrieverBuilder(knn(corpus.query(), 45), spec, 45));
        assertThat(all.size(), equalTo(9));
        List<String> paged = new ArrayList<>();
        for (int from = 0; from < 9; from += 4) {
            SearchResponse page = search(client(), "pages", new SiftRetrieverBuilder(knn(corpus.query(), 45), spec, 45), from, 4, false);
            try {
                paged.addAll(ids(page));
            } finally {
                page.decRef();
            }
        }
        assertThat(paged, equalTo(all));
    }

    public void testSiftOverSift() throws IOException {
        Corpus corpus = corpus(new Random(19), 120, 12, 0.15f);
        createIndex("nested", 4, 3, false);
        indexCorpus("nested", corpus, Map.of());
        List<String> windowIds = knnOrder("nested", corpus.query(), 60);
        SelectionSpec innerSpec = new SelectionSpec.Builder().field("emb").size(30).lambda(0.5).build(false);
        List<String> innerIds = idsOf(windowIds, engine(corpus, windowIds, corpus.query(), innerSpec, 30).selected());

        float[] other = corpus.vectors().get(innerIds.get(innerIds.size() - 1)); // a different target for the outer one
        SelectionSpec outerSpec = new SelectionSpec.Builder().field("emb").queryVector(toList(other)).size(5).build(false);
        List<String> expected = idsOf(innerIds, engine(corpus, innerIds, other, outerSpec, 5).selected());

        RetrieverBuilder inner = new SiftRetrieverBuilder(knn(corpus.query(), 60), innerSpec, 60);
        assertThat(searchIds("nested", new SiftRetrieverBuilder(inner, outerSpec, 30)), equalTo(expected));
    }

    /** Over a {@code rescorer} retriever the window is in the rescored order, not the kNN order. */
    public void testSiftOverARescorerRetriever() throws IOException {
        Corpus corpus = corpus(new Random(59), 100, 10, 0.15f);
        createIndex("rescored", 3, 3, false);
        indexCorpus("rescored", corpus, Map.of());
        List<String> knnIds = knnOrder("rescored", corpus.query(), 50);
        List<String> boosted = knnIds.subList(44, 50); // the kNN tail, which the rescorer moves to the top
        RetrieverBuilder rescorer = new RescorerRetrieverBuilder(
            knn(corpus.query(), 50),
            List.of(new QueryRescorerBuilder(new TermsQueryBuilder("group", boosted)).windowSize(50).setRescoreQueryWeight(10f))
        );
        List<String> windowIds = searchIds("rescored", new SearchSourceBuilder().retriever(rescorer).size(40));
        assertThat(new HashSet<>(windowIds.subList(0, 6)), equalTo(new HashSet<>(boosted)));

        SelectionSpec spec = new SelectionSpec.Builder().field("emb").queryVector(toList(corpus.query())).size(6).build(false);
        List<String> expected = idsOf(windowIds, engine(corpus, windowIds, corpus.query(), spec, 6).selected());
        RetrieverBuilder sameRescorer = new RescorerRetrieverBuilder(
            knn(corpus.query(), 50),
            List.of(new QueryRescorerBuilder(new TermsQueryBuilder("group", boosted)).windowSize(50).setRescoreQueryWeight(10f))
        );
        assertThat(searchIds("rescored", new SiftRetrieverBuilder(sameRescorer, spec, 40)), equalTo(expected));
    }

    public void testHitsWithoutVectorsAreSkipped() throws IOException {
        Corpus corpus = corpus(new Random(23), 60, 8, 0.15f);
        createIndex("gaps", 2, 2, false);
        indexCorpus("gaps", corpus, Map.of());
        BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
        for (int i = 0; i < 10; i++) {
            bulk.add(client().prepareIndex("gaps").setId("novec-" + i).setSource("group", "none"));
        }
        assertThat(bulk.get().hasFailures(), equalTo(false));
        // A standard retriever ranks by a match-all query: every doc, vectorless ones included, is in the window.
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").queryVector(toList(corpus.query())).size(5).build(false);
        List<String> picked = searchIds(
            "gaps",
            new SiftRetrieverBuilder(new org.elasticsearch.search.retriever.StandardRetrieverBuilder(
                new org.elasticsearch.index.query.MatchAllQueryBuilder()), spec, 70)
        );
        assertThat(picked.size(), equalTo(5));
        for (String id : picked) {
            assertThat(id.startsWith("novec"), equalTo(false));
        }
    }

    /** On a {@code cosine} field the stored vectors are unit length and the query vector is normalised to match. */
    public void testCosineFieldNormalisesTheQuery() throws IOException {
        Corpus unitCorpus = corpus(new Random(47), 90, 10, 0.15f);
        Random scales = new Random(53);
        Map<String, float[]> scaled = new HashMap<>();
        unitCorpus.vectors().forEach((id, v) -> scaled.put(id, scale(v, 0.5f + 4 * scales.nextFloat())));
        client().admin()
            .indices()
            .prepareCreate("cosine")
            .setSettings(indexSettings(3, 0))
            .setMapping(mapping("cosine", false))
            .get();
        ensureGreen("cosine");
        indexCorpus("cosine", new Corpus(scaled, unitCorpus.query()), Map.of());
        float[] query = scale(unitCorpus.query(), 3f);
        List<String> windowIds = knnOrder("cosine", query, 40);
        assertThat(new HashSet<>(windowIds), equalTo(new HashSet<>(bruteForceTop(unitCorpus, 40))));
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").queryVector(toList(query)).size(8).build(false);
        List<String> expected = idsOf(windowIds, engine(unitCorpus, windowIds, unitCorpus.query(), spec, 8).selected());
        assertThat(searchIds("cosine", new SiftRetrieverBuilder(knn(query, 40), spec, 40)), equalTo(expected));
    }

    /** A {@code byte} field: the stored integers are the vectors, normalised on read for {@code cosine}. */
    public void testByteVectorsOnACosineField() throws IOException {
        Corpus unitCorpus = corpus(new Random(61), 90, 10, 0.15f);
        Map<String, float[]> bytes = new HashMap<>();
        Map<String, float[]> normalised = new HashMap<>();
        unitCorpus.vectors().forEach((id, v) -> {
            float[] b = new float[DIMS];
            for (int i = 0; i < DIMS; i++) {
                b[i] = Math.max(-127, Math.min(127, Math.round(v[i] * 100)));
            }
            bytes.put(id, b);
            normalised.put(id, unit(b));
        });
        XContentBuilder m = XContentFactory.jsonBuilder().startObject().startObject("properties");
        m.startObject("emb").field("type", "dense_vector").field("dims", DIMS).field("element_type", "byte").field("similarity", "cosine");
        m.startObject("index_options").field("type", "flat").endObject().endObject();
        m.startObject("group").field("type", "keyword").endObject().endObject().endObject();
        client().admin().indices().prepareCreate("bytes").setSettings(indexSettings(3, 0)).setMapping(m).get();
        ensureGreen("bytes");
        indexCorpus("bytes", new Corpus(bytes, unitCorpus.query()), Map.of());
        float[] query = new float[DIMS];
        for (int i = 0; i < DIMS; i++) {
            query[i] = Math.round(unitCorpus.query()[i] * 100);
        }
        List<String> windowIds = knnOrder("bytes", query, 40);
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").size(8).build(false);
        Corpus asRead = new Corpus(normalised, unit(query));
        List<String> expected = idsOf(windowIds, engine(asRead, windowIds, unit(query), spec, 8).selected());
        assertThat(searchIds("bytes", new SiftRetrieverBuilder(knn(query, 40), spec, 40)), equalTo(expected));
    }

    public void testEmptyIndexGivesNoHits() throws IOException {
        createIndex("empty", 2, 2, false);
        float[] q = new float[DIMS];
        q[0] = 1;
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").size(3).build(false);
        assertThat(searchIds("empty", new SiftRetrieverBuilder(knn(q, 20), spec, 20)), equalTo(List.of()));
    }

    /**
     * Planted duplicates: six groups of four identical vectors, one copy of each group on each of four shards. The
     * rescore clause selects on each shard separately, so every shard picks a copy of the same best groups and the
     * merge brings the copies back together; the retriever selects once and returns six different groups.
     */
    public void testRetrieverDiffersFromThePerShardRescoreClause() throws IOException {
        int shards = 4;
        createIndex("dups", shards, 3, false);
        Random random = new Random(29);
        float[] query = unit(gaussian(random, DIMS, 1f));
        Map<String, float[]> vectors = new HashMap<>();
        Map<String, String> routing = new HashMap<>();
        Map<String, String> groupOf = new HashMap<>();
        for (int g = 0; g < 6; g++) {
            float[] base = unit(add(query, gaussian(random, DIMS, 0.5f)));
            for (int s = 0; s < shards; s++) {
                String id = "g" + g + "-copy" + s;
                vectors.put(id, base.clone());
                routing.put(id, routingKeyForShard("dups", s));
                groupOf.put(id, "g" + g);
            }
        }
        for (int i = 0; i < 40; i++) { // filler, further from the query
            String id = "filler-" + i;
            vectors.put(id, unit(add(scale(query, 0.2f), gaussian(random, DIMS, 1f))));
            groupOf.put(id, id);
        }
        Corpus corpus = new Corpus(vectors, query);
        indexCorpus("dups", corpus, routing);

        SelectionSpec spec = new SelectionSpec.Builder().field("emb").queryVector(toList(query)).size(6).build(true);
        SearchSourceBuilder rescored = new SearchSourceBuilder().knnSearch(List.of(new KnnSearchBuilder("emb", query, 40, 64, null, null)))
            .size(6)
            .addRescorer(new SiftRescorerBuilder(spec, false).windowSize(40));
        List<String> perShard = searchIds("dups", rescored);
        List<String> global = searchIds("dups", new SiftRetrieverBuilder(knn(query, 40), spec, 40));

        assertThat(global.size(), equalTo(6));
        assertThat("retriever " + global, groups(global, groupOf).size(), equalTo(6));
        assertThat("rescore clause " + perShard, groups(perShard, groupOf).size(), lessThan(perShard.size()));
    }

    // ------------------------------------------------------------------------------------------ errors

    public void testShardLevelBadRequests() throws IOException {
        createIndex("bad", 3, 3, false);
        indexCorpus("bad", corpus(new Random(31), 30, 4, 0.15f), Map.of());
        float[] q = new float[DIMS];
        q[0] = 1;
        assertBadRequest("bad", spec -> spec.field("missing"), q, "[field] [missing] does not exist in the mapping");
        assertBadRequest("bad", spec -> spec.field("group"), q, "[field] [group] must be a [dense_vector] field");
        assertBadRequest(
            "bad",
            spec -> spec.field("emb").queryVector(List.of(1f, 2f, 3f)),
            q,
            "[query_vector] has 3 dimensions, but field [emb] has " + DIMS
        );
        assertBadRequest(
            "bad",
            spec -> spec.field("emb").queryVectors(List.of(new float[] { 1, 2 }, new float[] { 3, 4 })),
            q,
            "[query_vectors] has 2 dimensions"
        );
    }

    public void testZeroQueryVectorOnACosineField() throws IOException {
        client().admin()
            .indices()
            .prepareCreate("cos")
            .setSettings(Settings.builder().put("index.number_of_shards", 2).put("index.number_of_replicas", 0))
            .setMapping(mapping("cosine", false))
            .get();
        indexCorpus("cos", corpus(new Random(37), 30, 4, 0.15f), Map.of());
        float[] q = new float[DIMS];
        q[0] = 1;
        assertBadRequest(
            "cos",
            spec -> spec.field("emb").queryVector(toList(new float[DIMS])),
            q,
            "[query_vector] must not be a zero vector"
        );
    }

    /**
     * Two indexes, one without the selected field: the inner kNN runs on both, but the rank-feature phase fails on
     * the second one's shards. The search must fail clearly, not select from the first index's hits alone.
     */
    public void testIncompleteWindowFailsClearly() throws IOException {
        Corpus corpus = corpus(new Random(41), 60, 8, 0.15f);
        client().admin().indices().prepareCreate("with-other").setSettings(indexSettings(2, 0)).setMapping(mappingWithOther()).get();
        createIndex("without-other", 2, 3, false);
        indexCorpus("without-other", corpus, Map.of());
        BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
        for (Map.Entry<String, float[]> doc : corpus.vectors().entrySet()) {
            bulk.add(client().prepareIndex("with-other").setId(doc.getKey()).setSource("emb", doc.getValue(), "other", doc.getValue()));
        }
        assertThat(bulk.get().hasFailures(), equalTo(false));
        SelectionSpec spec = new SelectionSpec.Builder().field("other").size(5).build(false);
        Exception e = expectThrows(
            Exception.class,
            () -> searchIds("with-other,without-other", new SiftRetrieverBuilder(knn(corpus.query(), 40), spec, 40))
        );
        String message = fullMessage(e);
        assertThat(message, containsString("[field] [other] does not exist in the mapping"));
        assertThat(message, containsString("no selection is made from an incomplete window"));
        assertThat(ExceptionsHelper.status(e), equalTo(RestStatus.BAD_REQUEST));
    }

    public void testParsedRequestThroughTheCluster() throws IOException {
        Corpus corpus = corpus(new Random(43), 60, 8, 0.15f);
        createIndex("parsed", 2, 2, false);
        indexCorpus("parsed", corpus, Map.of());
        String json = "{\"retriever\":{\"sift\":{\"retriever\":{\"knn\":{\"field\":\"emb\",\"query_vector\":"
            + Arrays.toString(corpus.query())
            + ",\"k\":30,\"num_candidates\":30}},\"field\":\"emb\",\"rank_window_size\":30,\"size\":4}}}";
        SearchSourceBuilder source;
        try (XContentParser parser = createParser(JsonXContent.jsonXContent, json)) {
            source = new SearchSourceBuilder().parseXContent(parser, true, nf -> true);
        }
        List<String> windowIds = knnOrder("parsed", corpus.query(), 30);
        SelectionSpec spec = new SelectionSpec.Builder().field("emb").size(4).build(false);
        assertThat(searchIds("parsed", source), equalTo(idsOf(windowIds, engine(corpus, windowIds, corpus.query(), spec, 4).selected())));

        String tooLarge = json.replace("\"size\":4}}}", "\"size\":4}},\"size\":31}");
        try (XContentParser parser = createParser(JsonXContent.jsonXContent, tooLarge)) {
            SearchSourceBuilder big = new SearchSourceBuilder().parseXContent(parser, true, nf -> true);
            Exception e = expectThrows(Exception.class, () -> searchIds("parsed", big));
            assertThat(ExceptionsHelper.status(e), equalTo(RestStatus.BAD_REQUEST));
            assertThat(fullMessage(e), containsString("rank_window_size"));
        }
    }

    private interface SpecEdit {
        void apply(SelectionSpec.Builder spec);
    }

    private void assertBadRequest(String index, SpecEdit edit, float[] knnVector, String expected) {
        SelectionSpec.Builder spec = new SelectionSpec.Builder().size(3);
        edit.apply(spec);
        SiftRetrieverBuilder retriever = new SiftRetrieverBuilder(knn(knnVector, 20), spec.build(false), 20);
        Exception e = expectThrows(Exception.class, () -> searchIds(index, retriever));
        assertThat(fullMessage(e), ExceptionsHelper.status(e), equalTo(RestStatus.BAD_REQUEST));
        assertThat(fullMessage(e), containsString(expected));
    }

    /** Everything the REST error body would show: messages, causes, suppressed exceptions and shard failures. */
    private static String fullMessage(Throwable e) {
        StringBuilder out = new StringBuilder();
        appendMessages(e, out, 0);
        return out.toString();
    }

    private static void appendMessages(Throwable e, StringBuilder out, int depth) {
        for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
            out.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
            if (t instanceof SearchPhaseExecutionException spee) {
                for (ShardSearchFailure f : spee.shardFailures()) {
                    out.append("shard failure: ").append(f.reason()).append(" | ");
                }
            }
            for (Throwable s : t.getSuppressed()) {
                appendMessages(s, out, depth + 1);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ helpers: engine

    /** The engine's selection over the given window (ids in window order), as the retriever must make it. */
    private static Selection engine(Corpus corpus, List<String> windowIds, float[] query, SelectionSpec spec, int size) {
        float[] flat = new float[windowIds.size() * DIMS];
        for (int i = 0; i < windowIds.size(); i++) {
            System.arraycopy(corpus.vectors().get(windowIds.get(i)), 0, flat, i * DIMS, DIMS);
        }
        SelectionProblem problem = new SelectionProblem(flat, query.clone(), DIMS);
        return switch (spec.method()) {
            case SIFT -> new SiftSelector(OPS).select(problem, SiftOptions.builder(size).lambda(spec.lambda()).build());
            case MMR -> new MmrSelector(OPS).select(problem, size, spec.mmrLambda(), spec.lambda(), dev.sift.engine.Cancellation.NONE);
            case NEAREST -> throw new AssertionError("not used here");
        };
    }

    private static List<String> idsOf(List<String> window, int[] positions) {
        List<String> out = new ArrayList<>();
        for (int p : positions) {
            out.add(window.get(p));
        }
        return out;
    }

    /** The exact top hits by inner product (the index is flat, so kNN is exact too). */
    private static List<String> bruteForceTop(Corpus corpus, int k) {
        List<Map.Entry<String, float[]>> all = new ArrayList<>(corpus.vectors().entrySet());
        all.sort((a, b) -> Double.compare(dot(b.getValue(), corpus.query()), dot(a.getValue(), corpus.query())));
        return all.subList(0, k).stream().map(Map.Entry::getKey).toList();
    }

    // ------------------------------------------------------------------------------------------ helpers: cluster

    private void createIndex(String index, int shards, int nodes, boolean excludeVectorFromSource) throws IOException {
        List<String> names = Arrays.asList(internalCluster().getNodeNames()).subList(0, nodes);
        Settings settings = Settings.builder()
            .put(indexSettings(shards, 0).build())
            .put("index.routing.allocation.include._name", String.join(",", names))
            .build();
        XContentBuilder mapping = mapping("dot_product", excludeVectorFromSource);
        client().admin().indices().prepareCreate(index).setSettings(settings).setMapping(mapping).get();
        ensureGreen(index);
    }

    private static XContentBuilder mapping(String similarity, boolean excludeVectorFromSource) throws IOException {
        XContentBuilder m = XContentFactory.jsonBuilder().startObject();
        if (excludeVectorFromSource) {
            m.startObject("_source").array("excludes", "emb").endObject();
        }
        m.startObject("properties");
        m.startObject("emb").field("type", "dense_vector").field("dims", DIMS).field("similarity", similarity);
        m.startObject("index_options").field("type", "flat").endObject().endObject();
        m.startObject("group").field("type", "keyword").endObject();
        return m.endObject().endObject();
    }

    private static XContentBuilder mappingWithOther() throws IOException {
        XContentBuilder m = XContentFactory.jsonBuilder().startObject().startObject("properties");
        for (String field : List.of("emb", "other")) {
            m.startObject(field).field("type", "dense_vector").field("dims", DIMS).field("similarity", "dot_product");
            m.startObject("index_options").field("type", "flat").endObject().endObject();
        }
        return m.endObject().endObject();
    }

    private void indexCorpus(String index, Corpus corpus, Map<String, String> routing) {
        BulkRequestBuilder bulk = client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
        for (Map.Entry<String, float[]> doc : corpus.vectors().entrySet()) {
            var request = client().prepareIndex(index).setId(doc.getKey()).setSource("emb", doc.getValue(), "group", doc.getKey());
            if (routing.containsKey(doc.getKey())) {
                request.setRouting(routing.get(doc.getKey()));
            }
            bulk.add(request);
        }
        assertThat(bulk.get().hasFailures(), equalTo(false));
    }

    private static KnnRetrieverBuilder knn(float[] q, int k) {
        return new KnnRetrieverBuilder("emb", q, null, k, Math.max(k, 10), null, null);
    }

    private static SiftRetrieverBuilder siftOverKnn(float[] q, SelectionSpec spec, int window) {
        return new SiftRetrieverBuilder(knn(q, window), spec, window);
    }

    /** The merged kNN order of the top {@code k}: Elasticsearch's own order, which the retriever's window must follow. */
    private List<String> knnOrder(String index, float[] q, int k) {
        KnnSearchBuilder knn = new KnnSearchBuilder("emb", q, k, Math.max(k, 10), null, null);
        SearchSourceBuilder source = new SearchSourceBuilder().knnSearch(List.of(knn)).size(k);
        return searchIds(index, source);
    }

    private static SearchResponse search(
        Client client,
        String index,
        RetrieverBuilder retriever,
        Integer from,
        Integer size,
        boolean explain
    ) {
        SearchSourceBuilder source = new SearchSourceBuilder().retriever(retriever).explain(explain);
        if (from != null) {
            source.from(from);
        }
        if (size != null) {
            source.size(size);
        }
        return client.search(new SearchRequest(index.split(",")).source(source)).actionGet();
    }

    private List<String> searchIds(String index, RetrieverBuilder retriever) {
        return searchIds(index, new SearchSourceBuilder().retriever(retriever));
    }

    private List<String> searchIds(String index, SearchSourceBuilder source) {
        SearchResponse response = client().search(new SearchRequest(index.split(",")).source(source)).actionGet();
        try {
            assertThat(Arrays.toString(response.getShardFailures()), response.getFailedShards(), equalTo(0));
            return ids(response);
        } finally {
            response.decRef();
        }
    }

    private static List<String> ids(SearchResponse response) {
        return Arrays.stream(response.getHits().getHits()).map(SearchHit::getId).toList();
    }

    private static float[] scores(SearchResponse response) {
        SearchHit[] hits = response.getHits().getHits();
        float[] out = new float[hits.length];
        for (int i = 0; i < hits.length; i++) {
            out[i] = hits[i].getScore();
        }
        return out;
    }

    private static Set<String> groups(List<String> ids, Map<String, String> groupOf) {
        Set<String> out = new HashSet<>();
        for (String id : ids) {
            out.add(groupOf.get(id));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ helpers: vectors

    /** {@code docs} unit vectors around {@code clusters} centres (redundant hits), and a query mixing three centres. */
    private static Corpus corpus(Random random, int docs, int clusters, float noise) {
        float[][] centres = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            centres[c] = unit(gaussian(random, DIMS, 1f));
        }
        Map<String, float[]> vectors = new HashMap<>();
        for (int i = 0; i < docs; i++) {
            vectors.put("d" + i, unit(add(centres[random.nextInt(clusters)], gaussian(random, DIMS, noise))));
        }
        float[] query = unit(add(add(centres[0], scale(centres[1], 0.8f)), scale(centres[2], 0.6f)));
        return new Corpus(vectors, query);
    }

    private static List<Float> toList(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float f : v) {
            out.add(f);
        }
        return out;
    }
}
