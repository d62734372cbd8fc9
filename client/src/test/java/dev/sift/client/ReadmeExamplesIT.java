package dev.sift.client;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.Retriever;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * The README's Java examples ("From your client"), run against a real node of the Elasticsearch version this build's
 * client matches (8.19.21 with client 8.19, 9.3.2 with client 9.3), started with {@code scripts/node.sh}.
 */
public class ReadmeExamplesIT {

    /** The documents of the examples. */
    public record Passage(String text, String fact) {}

    private static final File ROOT = new File(System.getProperty("sift.root", ".."));
    private static final String ES_VERSION = System.getProperty("sift.es.version", "8.19.21");
    private static RestClient rest;
    private static ElasticsearchClient client;
    private static final List<Float> Q = List.of(1f, 1f, 0.8f, 0f, 0f, 0f, 0f, 0f);

    @BeforeClass
    public static void startNodeAndIndex() throws Exception {
        String url = null;
        for (String line : nodeScript("start")) {
            if (line.startsWith("http://")) url = line.trim();
        }
        if (url == null) fail("scripts/node.sh start printed no URL");
        rest = RestClient.builder(HttpHost.create(url)).build();
        client = new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));

        client.indices().delete(d -> d.index("passages").ignoreUnavailable(true));
        client.indices().create(c -> c.index("passages").withJson(new StringReader("""
            {"settings": {"number_of_shards": 1, "number_of_replicas": 0},
             "mappings": {"_source": {"excludes": ["emb"]}, "properties": {
               "emb": {"type": "dense_vector", "dims": 8, "similarity": "cosine", "index_options": {"type": "hnsw"}},
               "text": {"type": "text"}, "fact": {"type": "keyword"}}}}""")));
        // the age stated three times (near-duplicates), the children and the career once, and unrelated facts
        index("age-1", "Michael Jordan is 61 years old.", "age", 1f, 0, 0, 0.02f, 0, 0, 0, 0);
        index("age-2", "The age of Michael Jordan is 61.", "age", 1f, 0, 0, 0, 0.02f, 0, 0, 0);
        index("age-3", "Michael Jordan's age is 61 years.", "age", 1f, 0, 0, 0, 0, 0.02f, 0, 0);
        index("children", "Michael Jordan has five children.", "children", 0.3f, 1f, 0, 0, 0, 0, 0, 0);
        index("career", "Michael Jordan owned the Charlotte Hornets.", "career", 0, 0, 1f, 0, 0, 0, 0, 0);
        for (int i = 0; i < 5; i++) {
            float[] v = new float[8];
            v[3 + i] = 1f;
            v[0] = 0.3f;
            index("other-" + i, "An unrelated fact " + i + ".", "other-" + i, v);
        }
        client.indices().refresh(r -> r.index("passages"));
    }

    private static void index(String id, String text, String fact, float... vector) throws IOException {
        List<Float> emb = new ArrayList<>();
        for (float f : vector) emb.add(f);
        client.index(i -> i.index("passages").id(id).document(new java.util.LinkedHashMap<>(java.util.Map.of("text", text, "fact", fact, "emb", emb))));
    }

    @AfterClass
    public static void stopNode() throws Exception {
        if (rest != null) rest.close();
        nodeScript("stop");
    }

    /** README, "From your client", Java: the rescore clause, typed. */
    @Test
    public void rescoreClause() throws IOException {
        List<Float> q = Q;
        // --- README snippet: rescore clause
        SiftClause sift = SiftClause.of(s -> s.field("emb").queryVector(q).size(3).keepUnselected(false));
        SearchResponse<Passage> response = client.search(r -> r.index("passages")
                .knn(k -> k.field("emb").queryVector(q).k(10).numCandidates(20))
                .rescore(x -> x.windowSize(10)._custom(SiftClause.NAME, sift))
                .size(3),
            Passage.class);
        // --- end of snippet
        // kNN's top 3 state the age twice; SIFT's three hits state three different facts
        List<String> facts = facts(response.hits().hits());
        assertEquals(facts.toString(), List.of("children", "career", "age"), facts);
    }

    /** README, "From your client", Java: the retriever and what each pick contributed. */
    @Test
    public void retrieverAndScores() throws IOException {
        List<Float> q = Q;
        // --- README snippet: retriever
        SiftRetriever global = SiftRetriever.of(s -> s
            .retriever(Retriever.of(r -> r.knn(k -> k.field("emb").queryVector(q).k(10).numCandidates(20))))
            .field("emb").rankWindowSize(10).size(3));
        SearchResponse<Passage> selected = SiftSearch.search(client, s -> s.index("passages").retriever(global), Passage.class);
        for (SiftScores.Selected<Passage> pick : SiftScores.selected(selected.hits().hits())) {
            System.out.printf("%d. %s (removed %.0f%% of the uncertainty, %.0f%% left)%n",
                pick.position(), pick.hit().source().text(), 100 * pick.gainShare(), 100 * pick.uncertaintyLeft());
        }
        // --- end of snippet
        List<SiftScores.Selected<Passage>> picks = SiftScores.selected(selected.hits().hits());
        assertEquals(3, picks.size());
        assertEquals("career", picks.get(1).hit().source().fact());
        double previous = 1;
        for (int n = 0; n < picks.size(); n++) {
            assertEquals(n + 1, picks.get(n).position());
            assertTrue(picks.get(n).uncertaintyLeft() < previous);
            previous = picks.get(n).uncertaintyLeft();
        }

        // the same selection as the clause on this one-shard index
        SearchResponse<Passage> clause = client.search(r -> r.index("passages")
                .knn(k -> k.field("emb").queryVector(q).k(10).numCandidates(20))
                .rescore(x -> x.windowSize(10)._custom(SiftClause.NAME, SiftClause.of(s -> s.field("emb").queryVector(q).size(3).keepUnselected(false))))
                .size(3),
            Passage.class);
        assertEquals(ids(clause.hits().hits()), ids(selected.hits().hits()));

        // the uncertainty left, read from the scores, is the node's own figure from explain
        SearchResponse<Passage> explained = SiftSearch.search(client, s -> s.index("passages").retriever(global).explain(true), Passage.class);
        Hit<Passage> last = explained.hits().hits().get(2);
        double variance = detail(last, "posterior variance after this pick"), prior = detail(last, "prior variance");
        assertEquals(variance / prior, SiftScores.selected(explained.hits().hits()).get(2).uncertaintyLeft(), 1e-5);

        // relevance order: the same hits, listed in their kNN order
        SiftRetriever relevance = SiftRetriever.of(s -> s
            .retriever(Retriever.of(r -> r.knn(k -> k.field("emb").queryVector(q).k(10).numCandidates(20))))
            .field("emb").rankWindowSize(10).size(3).order(SiftSelection.Order.RELEVANCE));
        List<String> listed = ids(SiftSearch.search(client, s -> s.index("passages").retriever(relevance), Passage.class).hits().hits());
        assertEquals(new java.util.HashSet<>(ids(selected.hits().hits())), new java.util.HashSet<>(listed));
        assertNotEquals(ids(selected.hits().hits()), listed);
    }

    /** What the server refuses comes back as the client's own exception, with the server's reason. */
    @Test
    public void serverErrorsAreTheClientsException() {
        SiftRetriever missing = SiftRetriever.of(s -> s
            .retriever(Retriever.of(r -> r.knn(k -> k.field("emb").queryVector(Q).k(10).numCandidates(20))))
            .field("missing"));
        ElasticsearchException e = org.junit.Assert.assertThrows(
            ElasticsearchException.class,
            () -> SiftSearch.search(client, s -> s.index("passages").retriever(missing), Passage.class)
        );
        assertEquals(400, e.status());
        assertTrue(e.response().toString(), e.response().toString().contains("[field] [missing] does not exist in the mapping"));
    }

    private static double detail(Hit<?> hit, String prefix) {
        return hit.explanation().details().stream()
            .filter(d -> d.description().startsWith(prefix))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no [" + prefix + "] in " + hit.explanation()))
            .value();
    }

    private static List<String> facts(List<Hit<Passage>> hits) {
        return hits.stream().map(h -> h.source().fact()).toList();
    }

    private static List<String> ids(List<Hit<Passage>> hits) {
        return hits.stream().map(Hit::id).toList();
    }

    private static List<String> nodeScript(String command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", new File(ROOT, "scripts/node.sh").getPath(), command).directory(ROOT)
            .redirectErrorStream(true);
        pb.environment().put("SIFT_ES_VERSION", ES_VERSION);
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("node.sh> " + line);
                lines.add(line);
            }
        }
        if (p.waitFor(20, TimeUnit.MINUTES) == false || p.exitValue() != 0) {
            fail("scripts/node.sh " + command + " failed:\n" + String.join("\n", lines));
        }
        return lines;
    }
}
