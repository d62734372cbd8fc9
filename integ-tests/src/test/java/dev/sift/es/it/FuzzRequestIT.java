package dev.sift.es.it;

import dev.sift.es.bench.NodeOps;
import dev.sift.es.bench.Scale;
import dev.sift.es.bench.SiftRequests;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static dev.sift.es.it.Json.obj;
import static org.junit.Assert.assertTrue;

/**
 * Seeded fuzzing of the request parsing of the {@code sift} rescore clause and the {@code sift} retriever: the
 * plugin's object in a valid request ({@code rescore.sift}, {@code retriever.sift} with its inner retriever) is
 * mutated structurally (a value replaced by one of another type or an extreme one, a key removed or added, a
 * vector made ragged) or textually (characters deleted, inserted, duplicated, the object cut short). Every answer
 * must be a 2xx or a 4xx, never a 5xx, and come within the client's timeout. 1000 cases per clause in CI, 10000 in
 * full mode ({@code -Dsift.it.fuzz.seed} replays another seed).
 *
 * <p>Mutations stay inside the plugin's object because Elasticsearch's own parser has 5xx of its own that no
 * plugin can fix: in 8.19.21 a {@code rescore} array holding a non-object ({@code "rescore": [1, 2]}) is a 500
 * {@code null_pointer_exception} ("fieldName cannot be null") on any node, with or without this plugin.
 */
public class FuzzRequestIT extends SiftNodeTestCase {

    private static final String INDEX = "fuzz";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static PlantedDuplicates data;
    private static boolean retriever;

    @BeforeClass
    public static void loadCorpus() {
        data = new PlantedDuplicates(8, false, 42);
        Map<String, Object> emb = obj("type", "dense_vector", "dims", 8, "similarity", "cosine", "index", true, "index_options", obj("type", "hnsw"));
        ok(createIndex(INDEX, obj("properties", obj("emb", emb, "group", obj("type", "keyword")))));
        bulkIndex(INDEX, data.docs("emb"));
        retriever = SiftRequests.retrieverAvailable(client, INDEX, data.query);
    }

    @Test
    public void rescoreClause() throws Exception {
        fuzz("rescore", SiftRequests.siftRescore(data.query, 20, 5, "sift"), "rescore", "sift", 1, true);
    }

    @Test
    public void retriever() throws Exception {
        // without the retriever the node answers 400 "unknown retriever": still worth fuzzing (the parser must not 500)
        Map<String, Object> base = SiftRequests.retriever(data.query, 20, 5);
        Map<String, Object> sift = Json.at(base, "retriever.sift");
        sift.put("lambda", 0.01);
        fuzz(retriever ? "retriever" : "retriever (absent)", base, "retriever", "sift", 2, retriever);
    }

    /**
     * @param parentPath where the fuzzed object sits in {@code base}
     * @param key        its key there
     */
    private void fuzz(String what, Map<String, Object> base, String parentPath, String key, long stream, boolean baseWorks)
        throws Exception {
        int cases = Scale.pick(1_000, 10_000);
        long seed = Long.getLong("sift.it.fuzz.seed", 20260101L) * 31 + stream;
        Random random = new Random(seed);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long breakerBefore = NodeOps.requestBreakerBytes(client);
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> bad = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < cases; i++) {
            String body = random.nextInt(5) < 3 ? mutateTree(base, parentPath, key, random) : mutateText(base, parentPath, key, random);
            int status = send(http, body);
            statuses.merge(status, 1, Integer::sum);
            if (status >= 500 || status < 0) {
                bad.add("case " + i + " (seed " + seed + "): " + (status < 0 ? "no answer within " + TIMEOUT.toSeconds() + " s" : status + " " + lastBody)
                    + "\n    request: " + body.substring(0, Math.min(400, body.length())));
            }
        }
        System.out.printf(java.util.Locale.ROOT, "[fuzz] %s: %d cases in %.0f s, seed %d, statuses %s%n", what, cases,
            (System.nanoTime() - start) / 1e9, seed, statuses);
        assertTrue(bad.size() + " cases answered 5xx or hung:\n" + String.join("\n", bad.subList(0, Math.min(10, bad.size()))), bad.isEmpty());
        if (baseWorks) {
            EsClient.Response r = client.post("/" + INDEX + "/_search", base);
            assertTrue("the unmutated request after the fuzzing: " + SiftRequests.brief(r), SiftRequests.complete(r));
        }
        long breakerAfter = NodeOps.requestBreakerBytes(client);
        for (int i = 0; i < 50 && breakerAfter > breakerBefore; i++) {
            Thread.sleep(100);
            breakerAfter = NodeOps.requestBreakerBytes(client);
        }
        assertTrue("request breaker: " + breakerBefore + " before, " + breakerAfter + " after", breakerAfter <= breakerBefore);
    }

    private String lastBody;

    /** The status, or -1 when no answer came within the timeout. */
    private int send(HttpClient http, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(client.baseUrl() + "/" + INDEX + "/_search"))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            lastBody = r.body().substring(0, Math.min(600, r.body().length()));
            return r.statusCode();
        } catch (HttpTimeoutException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------------------------ structural mutations

    /** The request with 1-3 structural mutations inside {@code parentPath.key}, as JSON. */
    @SuppressWarnings("unchecked")
    private static String mutateTree(Map<String, Object> base, String parentPath, String key, Random random) {
        Map<String, Object> copy = (Map<String, Object>) SiftRequests.copy(base);
        Map<String, Object> parent = Json.at(copy, parentPath);
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            List<Object[]> slots = new ArrayList<>(); // {container, key or index}
            if (parent.get(key) instanceof Map<?, ?> || parent.get(key) instanceof List<?>) {
                collect(parent.get(key), slots);
            }
            if (slots.isEmpty() || random.nextInt(20) == 0) {
                slots.add(new Object[] { parent, key }); // the whole object replaced
            }
            Object[] slot = slots.get(random.nextInt(slots.size()));
            Object container = slot[0];
            int op = random.nextInt(10);
            if (container instanceof Map<?, ?> map) {
                Map<String, Object> mm = (Map<String, Object>) map;
                String k = (String) slot[1];
                if (op == 0 && mm != parent) {
                    mm.remove(k);
                } else if (op == 1 && mm != parent) {
                    mm.put(randomKey(random), randomValue(random, 0));
                } else {
                    mm.put(k, randomValue(random, 0));
                }
            } else {
                List<Object> list = (List<Object>) container;
                int index = (Integer) slot[1];
                if (op == 0 && list.isEmpty() == false) {
                    list.remove(index);
                } else if (op == 1) {
                    list.add(index, randomValue(random, 0));
                } else if (list.isEmpty() == false) {
                    list.set(index, randomValue(random, 0));
                }
            }
        }
        return Json.write(copy);
    }

    /** Every (container, key/index) in the tree: the places a mutation can hit. */
    private static void collect(Object node, List<Object[]> slots) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                slots.add(new Object[] { map, e.getKey() });
                collect(e.getValue(), slots);
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                // vectors are long; one slot per list for its elements keeps the keys as likely as the numbers
                if (i == 0 || i == list.size() - 1) slots.add(new Object[] { list, i });
                collect(list.get(i), slots);
            }
        }
    }

    private static final String[] KEYS = {
        "field", "query_vector", "query_vectors", "lambda", "size", "method", "mmr_lambda", "alpha", "min_gain", "target_variance",
        "keep_unselected", "window_size", "sift", "retriever", "rank_window_size", "knn", "k", "num_candidates", "filter", "_name",
        "unknown", "" };

    private static String randomKey(Random random) {
        return random.nextInt(4) == 0 ? "x" + random.nextInt(100) : KEYS[random.nextInt(KEYS.length)];
    }

    private static Object randomValue(Random random, int depth) {
        switch (random.nextInt(depth > 2 ? 18 : 24)) {
            case 0: return null;
            case 1: return random.nextBoolean();
            case 2: return "";
            case 3: return new String[] { "sift", "nearest", "mmr", "SIFT", "emb", "group", "nope", "_id", "emb.x" }[random.nextInt(9)];
            case 4: return new long[] { 0, -1, 1, 2, Integer.MAX_VALUE, Integer.MIN_VALUE, (long) Integer.MAX_VALUE + 1, Long.MAX_VALUE, Long.MIN_VALUE, 10_000, 10_001 }[random.nextInt(11)];
            case 5: return new double[] { 0.0, -0.0, 1e-300, 1e300, -1e300, 0.5, 1.0, 1.5, -0.5, Double.MIN_VALUE, 3.4e38, 3.5e38 }[random.nextInt(12)];
            case 6: return new String[] { "NaN", "Infinity", "-Infinity", "1e999", "0x10", "1,5", "01", " 1", "true" }[random.nextInt(9)];
            case 7: return (long) random.nextInt(200) - 50;
            case 8: return random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10);
            case 9: {
                StringBuilder sb = new StringBuilder();
                int n = random.nextInt(3) == 0 ? 5000 : random.nextInt(20);
                for (int i = 0; i < n; i++) sb.append((char) (random.nextInt(3) == 0 ? 0x20 + random.nextInt(0x5f) : random.nextInt(0xd7ff)));
                return sb.toString();
            }
            case 10: return new ArrayList<>();
            case 11: case 12: { // a vector of a random length, sometimes with a bad element
                List<Object> v = new ArrayList<>();
                int n = new int[] { 0, 1, 7, 8, 9, 16, 4096, 5000 }[random.nextInt(8)];
                for (int i = 0; i < n; i++) v.add(random.nextGaussian());
                if (n > 0 && random.nextBoolean()) v.set(random.nextInt(n), randomValue(random, depth + 1));
                return v;
            }
            case 13: { // vectors of vectors, ragged
                List<Object> vs = new ArrayList<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    List<Object> v = new ArrayList<>();
                    int d = random.nextBoolean() ? 8 : random.nextInt(10);
                    for (int j = 0; j < d; j++) v.add(random.nextGaussian());
                    vs.add(v);
                }
                return vs;
            }
            case 14: { // deep nesting
                Object v = 1;
                int levels = random.nextInt(3) == 0 ? 2000 : 1 + random.nextInt(10);
                for (int i = 0; i < levels; i++) v = random.nextBoolean() ? Json.list(v) : obj("a", v);
                return v;
            }
            case 15: return obj();
            case 16: return obj("sift", obj(), "knn", obj());
            case 17: return random.nextBoolean() ? obj("match_all", obj()) : obj("term", obj("group", "dup"));
            default: { // a random object or list of random things
                int n = random.nextInt(4);
                if (random.nextBoolean()) {
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    for (int i = 0; i < n; i++) m.put(randomKey(random), randomValue(random, depth + 1));
                    return m;
                }
                List<Object> l = new ArrayList<>();
                for (int i = 0; i < n; i++) l.add(randomValue(random, depth + 1));
                return l;
            }
        }
    }

    // ------------------------------------------------------------------------------------ textual mutations

    private static final String NOISE = "{}[]:,\"\\-+.0123456789eE truefalsnl\u00e9\u20ac\ud83d\ude00\u0000\t\n";

    /** The request with 1-4 character edits inside the JSON text of {@code parentPath.key}. */
    private static String mutateText(Map<String, Object> base, String parentPath, String key, Random random) {
        Map<String, Object> parent = Json.at(base, parentPath);
        String object = Json.write(parent.get(key));
        String json = Json.write(base);
        int from = json.indexOf(object);
        StringBuilder sb = new StringBuilder(object);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && sb.length() > 0; e++) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(6)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, NOISE.charAt(random.nextInt(NOISE.length())));
                case 2 -> sb.setCharAt(at, NOISE.charAt(random.nextInt(NOISE.length())));
                case 3 -> sb.setLength(at); // cut short
                case 4 -> { // a chunk duplicated (duplicate keys, doubled brackets)
                    int end = Math.min(sb.length(), at + 1 + random.nextInt(40));
                    sb.insert(end, sb.substring(at, end));
                }
                default -> { // a number replaced by an extreme one
                    int digit = indexOfDigit(sb, at);
                    if (digit >= 0) sb.replace(digit, digit + 1, new String[] { "9999999999999999999", "-", "1e400", "0.0000", "NaN" }[random.nextInt(5)]);
                }
            }
        }
        return json.substring(0, from) + sb + json.substring(from + object.length());
    }

    private static int indexOfDigit(CharSequence s, int from) {
        for (int i = from; i < s.length(); i++) if (Character.isDigit(s.charAt(i))) return i;
        return -1;
    }
}
