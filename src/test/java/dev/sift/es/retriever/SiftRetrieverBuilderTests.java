package dev.sift.es.retriever;

import dev.sift.es.ResultOrder;
import dev.sift.es.SelectionMethod;
import dev.sift.es.SelectionSpec;
import dev.sift.es.SiftPlugin;
import org.apache.lucene.search.Explanation;
import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.SearchExtBuilder;
import org.elasticsearch.search.SearchModule;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.rank.RankDoc;
import org.elasticsearch.search.retriever.KnnRetrieverBuilder;
import org.elasticsearch.search.retriever.RetrieverBuilder;
import org.elasticsearch.search.retriever.StandardRetrieverBuilder;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.json.JsonXContent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.sift.testing.RandomSpecs.randomSpec;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/**
 * The retriever's REST contract without a cluster: parsing and defaults, XContent round trips, every parse-time
 * 400 (each naming its parameter), and the wire round trips of the rank builder and the rank doc.
 */
public class SiftRetrieverBuilderTests extends ESTestCase {

    private static final SearchModule MODULE = new SearchModule(Settings.EMPTY, List.of(new SiftPlugin()));

    @Override
    protected NamedXContentRegistry xContentRegistry() {
        return new NamedXContentRegistry(MODULE.getNamedXContents());
    }

    @Override
    protected NamedWriteableRegistry writableRegistry() {
        List<NamedWriteableRegistry.Entry> entries = new ArrayList<>(MODULE.getNamedWriteables());
        entries.addAll(new SiftPlugin().getNamedWriteables()); // the plugin registers these itself, not via SearchModule
        return new NamedWriteableRegistry(entries);
    }

    private static final String KNN = "{\"knn\":{\"field\":\"emb\",\"query_vector\":[1,0,0],\"k\":10,\"num_candidates\":20}}";

    private RetrieverBuilder parse(String retrieverJson) throws IOException {
        try (XContentParser parser = createParser(JsonXContent.jsonXContent, "{\"retriever\":" + retrieverJson + "}")) {
            return new SearchSourceBuilder().parseXContent(parser, true, nf -> true).retriever();
        }
    }

    private SiftRetrieverBuilder parseSift(String body) throws IOException {
        RetrieverBuilder r = parse("{\"sift\":{" + body + "}}");
        assertThat(r, instanceOf(SiftRetrieverBuilder.class));
        return (SiftRetrieverBuilder) r;
    }

    public void testMinimalRequestTakesTheKnnVectorAndDefaults() throws IOException {
        SiftRetrieverBuilder sift = parseSift("\"retriever\":" + KNN + ",\"field\":\"emb\"");
        assertThat(sift.rankWindowSize(), equalTo(SiftRetrieverBuilder.DEFAULT_RANK_WINDOW_SIZE));
        assertThat(sift.spec().queryVectors(), nullValue());
        assertThat(sift.spec().size(), nullValue());
        assertThat(sift.spec().method(), equalTo(SelectionMethod.SIFT));
        assertThat(sift.spec().lambda(), equalTo(0.01));
        assertThat(sift.innerRetrievers().get(0).retriever(), instanceOf(KnnRetrieverBuilder.class));
    }

    public void testFullRequest() throws IOException {
        SiftRetrieverBuilder sift = parseSift(
            "\"retriever\":{\"standard\":{\"query\":{\"match_all\":{}}}},\"field\":\"emb\",\"query_vectors\":[[1,2],[3,4]],"
                + "\"rank_window_size\":50,\"lambda\":0.5,\"size\":7,\"method\":\"mmr\",\"mmr_lambda\":0.3,\"alpha\":2,"
                + "\"min_gain\":0.01,\"target_variance\":0.2,\"_name\":\"mine\",\"filter\":[{\"term\":{\"a\":\"b\"}}]"
        );
        assertThat(sift.rankWindowSize(), equalTo(50));
        assertThat(sift.spec().size(), equalTo(7));
        assertThat(sift.spec().method(), equalTo(SelectionMethod.MMR));
        assertThat(sift.spec().queryVectors().size(), equalTo(2));
        assertThat(sift.retrieverName(), equalTo("mine"));
        assertThat(sift.getPreFilterQueryBuilders().size(), equalTo(1));
        assertThat(sift.innerRetrievers().get(0).retriever(), instanceOf(StandardRetrieverBuilder.class));
    }

    public void testXContentRoundTrip() throws IOException {
        for (int i = 0; i < 50; i++) {
            SiftRetrieverBuilder original = randomRetriever();
            String json = Strings.toString(original);
            RetrieverBuilder parsed = parse(json);
            assertThat(json, parsed, equalTo(original));
            assertThat(Strings.toString(parsed), equalTo(json));
        }
    }

    public void testNestedSiftRetrievers() throws IOException {
        SiftRetrieverBuilder outer = parseSift(
            "\"retriever\":{\"sift\":{\"retriever\":" + KNN + ",\"field\":\"emb\",\"rank_window_size\":80}},"
                + "\"field\":\"emb\",\"query_vector\":[1,0,0],\"rank_window_size\":40,\"size\":5"
        );
        assertThat(outer.innerRetrievers().get(0).retriever(), instanceOf(SiftRetrieverBuilder.class));
    }

    // ---- every parse-time 400 names its parameter

    public void testMissingInnerRetriever() {
        assertBadRequest("\"field\":\"emb\",\"query_vector\":[1]", "[retriever] is required");
    }

    public void testMissingField() {
        assertBadRequest("\"retriever\":" + KNN, "[field] is required");
    }

    public void testVectorRequiredUnlessKnn() {
        assertBadRequest(
            "\"retriever\":{\"standard\":{\"query\":{\"match_all\":{}}}},\"field\":\"emb\"",
            "one of [query_vector] or [query_vectors] is required unless the inner [retriever] is a [knn] retriever"
        );
    }

    public void testBothVectorParameters() {
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"query_vector\":[1],\"query_vectors\":[[1]]", "query_vector");
    }

    public void testEmptyQueryVector() {
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"query_vector\":[]", "[query_vector] must not be empty");
    }

    public void testQueryVectorsOfDifferentDimensions() {
        assertBadRequest(
            "\"retriever\":" + KNN + ",\"field\":\"emb\",\"query_vectors\":[[1,2],[1]]",
            "[query_vectors] must all have the same dimension"
        );
    }

    public void testQueryVectorsNotAnArray() {
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"query_vectors\":[1,2]", "query_vectors");
    }

    public void testRankWindowSize() {
        assertBadRequest(
            "\"retriever\":" + KNN + ",\"field\":\"emb\",\"rank_window_size\":0",
            "[rank_window_size] must be at least 1, got 0"
        );
    }

    public void testSizeAboveWindow() {
        assertBadRequest(
            "\"retriever\":" + KNN + ",\"field\":\"emb\",\"rank_window_size\":100,\"size\":400",
            "[size] must be at most [rank_window_size] (100), got 400"
        );
    }

    public void testSizeBelowOne() {
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"size\":0", "[size] must be at least 1");
    }

    public void testLambda() {
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"lambda\":0", "lambda");
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"lambda\":-1", "lambda");
    }

    public void testMethod() {
        assertBadRequest(
            "\"retriever\":" + KNN + ",\"field\":\"emb\",\"method\":\"greedy\"",
            "[method] must be one of [sift, nearest, mmr]"
        );
    }

    public void testMmrLambda() {
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"method\":\"mmr\",\"mmr_lambda\":1.5", "[mmr_lambda]");
    }

    public void testAlpha() {
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"alpha\":-1", "alpha");
    }

    public void testMinGain() {
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"min_gain\":-0.5", "min_gain");
    }

    public void testTargetVariance() {
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"target_variance\":2", "target_variance");
    }

    public void testUnknownParameter() {
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"min_score\":1", "min_score");
        assertBadRequest("\"retriever\":" + KNN + ",\"field\":\"emb\",\"keep_unselected\":true", "keep_unselected");
    }

    public void testTwoInnerRetrieversAreRefused() {
        assertBadRequest("\"retriever\":{\"knn\":{}, \"standard\":{}},\"field\":\"emb\"", "retriever");
    }

    private void assertBadRequest(String body, String expected) {
        Exception e = expectThrows(Exception.class, () -> parseSift(body));
        assertThat(body, ExceptionsHelper.status(e), equalTo(RestStatus.BAD_REQUEST));
        assertThat(body, fullMessage(e), containsString(expected));
    }

    /** The message with its causes, as the REST error body shows them (reason and caused_by). */
    static String fullMessage(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t.getMessage()).append(" | ");
            for (Throwable s : t.getSuppressed()) {
                out.append(fullMessage(s));
            }
        }
        return out.toString();
    }

    // ---- wire round trips

    public void testWindowExtWireRoundTrip() throws IOException {
        for (int i = 0; i < 20; i++) {
            SelectionSpec spec = randomSpec(true).build(true);
            String parameter = randomFrom("query_vector", SiftRetrieverBuilder.KNN_VECTOR_PARAMETER);
            SiftWindowExt original = new SiftWindowExt(spec, parameter, new SelectionTasks());
            SearchExtBuilder copy = copyNamedWriteable(original, writableRegistry(), SearchExtBuilder.class);
            assertThat(copy, equalTo(original));
            assertThat(copy.hashCode(), equalTo(original.hashCode()));
            assertThat(Strings.toString(copy), equalTo(Strings.toString(original)));
        }
    }

    /** The inner search's section is the retriever's own: a request may not send it. */
    public void testWindowExtIsRefusedInRequests() throws IOException {
        String json = "{\"ext\":{\"_sift_window\":{\"field\":\"emb\"}}}";
        try (XContentParser parser = createParser(JsonXContent.jsonXContent, json)) {
            Exception e = expectThrows(Exception.class, () -> new SearchSourceBuilder().parseXContent(parser, true, nf -> true));
            assertThat(ExceptionsHelper.unwrapCause(e).getMessage() + " / " + e.getMessage(), containsString("internal to the [sift] retriever"));
        }
    }

    public void testRankDocWireRoundTripAndExplanation() throws IOException {
        SiftRankDoc original = new SiftRankDoc(42, 3.25f, 2, "sift", ResultOrder.SELECTION, new SiftRankDoc.Pick(1, 3, 0.25, 0.5, 1.0));
        original.rank = 2;
        RankDoc copy = copyNamedWriteable(original, writableRegistry(), RankDoc.class);
        assertThat(copy, equalTo(original));
        Explanation explanation = copy.explain(new Explanation[] { Explanation.match(0.9f, "knn score") }, new String[] { "q" });
        assertThat(explanation.getValue().floatValue(), equalTo(3.25f));
        assertThat(explanation.getDescription(), containsString("sift pick 2 of 3 over the global window"));
        assertThat(explanation.getDetails()[0].getDescription(), containsString("gain"));
        assertThat(explanation.getDetails()[0].getValue().floatValue(), equalTo(0.25f));
        assertThat(explanation.getDetails()[1].getDescription(), containsString("V(S_2)"));
        assertThat(explanation.getDetails()[2].getDescription(), containsString("prior variance"));
        assertThat(explanation.getDetails()[3].getDescription(), containsString("knn score"));

        SiftRankDoc unknown = new SiftRankDoc(1, 1f, 0, "nearest", ResultOrder.SELECTION, null);
        assertThat(copyNamedWriteable(unknown, writableRegistry(), RankDoc.class), equalTo(unknown));
        assertThat(unknown.explain(new Explanation[0], new String[0]).getDescription(), containsString("not recorded"));

        // in relevance order the hit is listed at its rank, which the score's integer part counts from the end
        SiftRankDoc listed = new SiftRankDoc(7, 2.1f, 0, "sift", ResultOrder.RELEVANCE, new SiftRankDoc.Pick(0, 3, 0.2, 0.8, 1.0));
        listed.rank = 2;
        RankDoc listedCopy = copyNamedWriteable(listed, writableRegistry(), RankDoc.class);
        assertThat(listedCopy, equalTo(listed));
        assertThat(listedCopy, not(equalTo(new SiftRankDoc(7, 2.1f, 0, "sift", ResultOrder.SELECTION, new SiftRankDoc.Pick(0, 3, 0.2, 0.8, 1.0)))));
        assertThat(
            listedCopy.explain(new Explanation[0], new String[0]).getDescription(),
            containsString("sift pick 1 of 3 over the global window, listed 2 in relevance order")
        );
    }

    public void testWindowExtNeedsTargets() {
        SelectionSpec noTargets = new SelectionSpec.Builder().field("emb").build(false);
        expectThrows(
            IllegalArgumentException.class,
            () -> new SiftWindowExt(noTargets, "query_vector", new SelectionTasks())
        );
    }

    // ---- random requests

    private SiftRetrieverBuilder randomRetriever() {
        boolean knn = randomBoolean();
        RetrieverBuilder inner = knn
            ? new KnnRetrieverBuilder("emb", new float[] { 1, 2, 3 }, null, between(1, 50), between(50, 100), null, null)
            : new StandardRetrieverBuilder(new org.elasticsearch.index.query.MatchAllQueryBuilder());
        SelectionSpec.Builder spec = randomSpec(knn == false || randomBoolean());
        int window = between(1, 500);
        if (spec.build(false).size() != null && spec.build(false).size() > window) {
            spec.size(window);
        }
        SiftRetrieverBuilder sift = new SiftRetrieverBuilder(inner, spec.build(false), window);
        if (randomBoolean()) {
            sift.retrieverName(randomAlphaOfLength(5));
        }
        return sift;
    }
}
