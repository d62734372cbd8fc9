package dev.sift.client;

import co.elastic.clients.elasticsearch._types.Retriever;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.JsonpSerializable;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import jakarta.json.stream.JsonGenerator;
import org.junit.Test;

import java.io.StringWriter;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** The builders' JSON and their checks, and reading the selection from scores; no node needed. */
public class SiftClientTest {

    private static final JacksonJsonpMapper MAPPER = new JacksonJsonpMapper();

    @Test
    public void clauseWritesTheServersParameterNames() {
        SiftClause clause = SiftClause.of(
            s -> s.field("emb")
                .queryVector(1f, 0.5f)
                .lambda(0.1)
                .size(3)
                .method(SiftSelection.Method.MMR)
                .mmrLambda(0.7)
                .minGain(0.01)
                .targetVariance(0.2)
                .alpha(2)
                .order(SiftSelection.Order.RELEVANCE)
                .keepUnselected(false)
        );
        assertEquals(
            "{\"field\":\"emb\",\"query_vector\":[1.0,0.5],\"lambda\":0.1,\"size\":3,\"method\":\"mmr\",\"mmr_lambda\":0.7,"
                + "\"alpha\":2.0,\"min_gain\":0.01,\"target_variance\":0.2,\"order\":\"relevance\",\"keep_unselected\":false}",
            toJson(clause, MAPPER)
        );
        SiftClause minimal = SiftClause.of(s -> s.field("emb").queryVectors(List.of(new float[] { 1, 0 }, new float[] { 0, 1 })));
        assertEquals("{\"field\":\"emb\",\"query_vectors\":[[1.0,0.0],[0.0,1.0]]}", toJson(minimal, MAPPER));
    }

    @Test
    public void retrieverWrapsTheInnerRetriever() {
        Retriever knn = Retriever.of(r -> r.knn(k -> k.field("emb").queryVector(List.of(1f, 0f)).k(10).numCandidates(20)));
        SiftRetriever sift = SiftRetriever.of(s -> s.retriever(knn).field("emb").rankWindowSize(10).size(3));
        String json = toJson(sift, MAPPER);
        assertTrue(json, json.startsWith("{\"sift\":{\"retriever\":{\"knn\":{"));
        assertTrue(json, json.endsWith("\"field\":\"emb\",\"size\":3,\"rank_window_size\":10}}"));
    }

    @Test
    public void badParametersAreNamedBeforeAnythingIsSent() {
        assertMessage("[field] is required", () -> SiftClause.of(s -> s.queryVector(1f)));
        assertMessage("one of [query_vector] or [query_vectors] is required", () -> SiftClause.of(s -> s.field("emb")));
        assertMessage("[lambda] must be a finite number > 0, got 0.0", () -> SiftClause.of(s -> s.field("e").queryVector(1f).lambda(0)));
        assertMessage("[size] must be at least 1, got 0", () -> SiftClause.of(s -> s.field("e").queryVector(1f).size(0)));
        assertMessage("[mmr_lambda] must be a number in [0, 1], got 2.0", () -> SiftClause.of(s -> s.field("e").queryVector(1f).mmrLambda(2)));
        assertMessage("[alpha] must be a finite number > 0", () -> SiftClause.of(s -> s.field("e").queryVector(1f).alpha(-1)));
        assertMessage("[min_gain] must be a number in [0, 1]", () -> SiftClause.of(s -> s.field("e").queryVector(1f).minGain(1.5)));
        assertMessage("[target_variance] must be a number in [0, 1]", () -> SiftClause.of(s -> s.field("e").queryVector(1f).targetVariance(-0.1)));
        assertMessage("[query_vector] must hold finite numbers", () -> SiftClause.of(s -> s.field("e").queryVector(Float.NaN)));
        assertMessage("[query_vector] must not be empty", () -> SiftClause.of(s -> s.field("e").queryVector(new float[0])));
        assertMessage(
            "[query_vectors] must all have the same dimension",
            () -> SiftClause.of(s -> s.field("e").queryVectors(List.of(new float[] { 1 }, new float[] { 1, 2 })))
        );
        Retriever standard = Retriever.of(r -> r.standard(q -> q.query(x -> x.matchAll(m -> m))));
        assertMessage("[sift] [retriever] is required", () -> SiftRetriever.of(s -> s.field("emb")));
        assertMessage("unless the inner [retriever] is a [knn] retriever", () -> SiftRetriever.of(s -> s.retriever(standard).field("emb")));
        assertMessage(
            "[size] must be at most [rank_window_size] (10), got 11",
            () -> SiftRetriever.of(s -> s.retriever(standard).field("emb").queryVector(1f).rankWindowSize(10).size(11))
        );
        assertMessage("[rank_window_size] must be at least 1", () -> SiftRetriever.of(s -> s.retriever(standard).field("e").queryVector(1f).rankWindowSize(0)));
    }

    @Test
    public void scoresGiveThePositionTheGainAndTheUncertaintyLeft() {
        // three picks that removed 50 %, 20 % and 10 % of the prior uncertainty, then one hit that follows them
        List<Hit<Object>> hits = List.of(hit(3 + 0.25), hit(2 + 0.10), hit(1 + 0.05), hit(0.5));
        List<SiftScores.Selected<Object>> selected = SiftScores.selected(hits);
        assertEquals(3, selected.size());
        assertEquals(1, selected.get(0).position());
        assertEquals(3, selected.get(2).position());
        assertEquals(0.5, selected.get(0).gainShare(), 1e-6);
        assertEquals(0.2, selected.get(1).gainShare(), 1e-6);
        assertEquals(0.2, selected.get(2).uncertaintyLeft(), 1e-6);
        assertTrue(SiftScores.selected(List.of(hit(0.9))).isEmpty());
    }

    private static String toJson(JsonpSerializable value, JsonpMapper mapper) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = mapper.jsonProvider().createGenerator(out)) {
            value.serialize(generator, mapper);
        }
        return out.toString();
    }

    private static Hit<Object> hit(double score) {
        return Hit.of(h -> h.index("i").id(Double.toString(score)).score(score));
    }

    private static void assertMessage(String expected, org.junit.function.ThrowingRunnable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
    }
}
