package dev.sift.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The searches the demo and the evaluation compare, all answered by the node:
 * <ul>
 *   <li>{@link Kind#KNN}: a plain {@code knn} search, hits in nearest-neighbour order;</li>
 *   <li>{@link Kind#RESCORE}: the same {@code knn} search with the plugin's {@code sift} rescore clause over its
 *       window, with {@code method} {@code sift}, {@code mmr} or {@code nearest};</li>
 *   <li>{@link Kind#RETRIEVER}: the plugin's {@code sift} retriever around a {@code knn} retriever.</li>
 * </ul>
 * With {@code explain}, the clause's explanation of each pick is parsed into {@link Hit#gain()},
 * {@link Hit#variance()} and {@link Hit#priorVariance()}.
 */
public final class SiftSearch {

    public enum Kind {
        KNN,
        RESCORE,
        RETRIEVER,
        /** Elasticsearch's own {@code diversify} retriever (MMR, 9.3+) over the same kNN; lambda = {@code mmrLambda}. */
        DIVERSIFY
    }

    /**
     * One returned hit. With {@code explain}, {@code step} is the 1-based pick the clause's explanation names ("sift
     * pick 3 of 10") and the three doubles its figures; otherwise, or when the explanation names no pick, the step
     * is 0 and the doubles are NaN.
     */
    public record Hit(String id, double score, JsonNode source, int step, double gain, double variance, double priorVariance) {}

    public record Result(List<Hit> hits, long tookMillis) {
        public List<String> ids() {
            List<String> ids = new ArrayList<>(hits.size());
            for (Hit h : hits) {
                ids.add(h.id());
            }
            return ids;
        }
    }

    /** What to search with; {@code method} and the lambdas only matter for RESCORE and RETRIEVER. */
    public record Request(
        Kind kind,
        float[] queryVector,
        int size,
        int k,
        int numCandidates,
        int window,
        String method,
        double lambda,
        double mmrLambda,
        String order,
        boolean explain,
        List<String> sourceFields
    ) {
        public Request with(Kind kind, String method, double lambda, double mmrLambda) {
            return new Request(kind, queryVector, size, k, numCandidates, window, method, lambda, mmrLambda, order, explain, sourceFields);
        }

        public Request withExplain(boolean explain) {
            return new Request(kind, queryVector, size, k, numCandidates, window, method, lambda, mmrLambda, order, explain, sourceFields);
        }
    }

    private static final Pattern PICK = Pattern.compile(" pick (\\d+) of ");

    private final EsClient client;
    private final String index;
    private final String field;

    public SiftSearch(EsClient client, String index, String field) {
        this.client = client;
        this.index = index;
        this.field = field;
    }

    public Result run(Request r) {
        ObjectNode body = body(r);
        JsonNode response = client.search(index, body);
        List<Hit> hits = new ArrayList<>();
        for (JsonNode h : response.path("hits").path("hits")) {
            double gain = Double.NaN, variance = Double.NaN, prior = Double.NaN;
            int step = 0;
            JsonNode explanation = h.get("_explanation");
            if (explanation != null) {
                gain = detail(explanation, "gain");
                variance = detail(explanation, "posterior variance after this pick");
                prior = detail(explanation, "prior variance");
                Matcher pick = PICK.matcher(explanation.path("description").asText());
                step = pick.find() ? Integer.parseInt(pick.group(1)) : 0;
            }
            hits.add(new Hit(h.path("_id").asText(), h.path("_score").asDouble(), h.get("_source"), step, gain, variance, prior));
        }
        return new Result(hits, response.path("took").asLong());
    }

    /** The request body, public so that the demo can print exactly what it sends. */
    public ObjectNode body(Request r) {
        ObjectNode body = EsClient.JSON.createObjectNode();
        body.put("size", r.size());
        if (r.explain()) {
            body.put("explain", true);
        }
        if (r.sourceFields() == null || r.sourceFields().isEmpty()) {
            body.put("_source", false);
        } else {
            r.sourceFields().forEach(body.putArray("_source")::add);
        }
        switch (r.kind()) {
            case KNN -> knn(body.putObject("knn"), r);
            case RESCORE -> {
                knn(body.putObject("knn"), r);
                ObjectNode rescore = body.putObject("rescore");
                rescore.put("window_size", r.window());
                ObjectNode sift = rescore.putObject("sift");
                selection(sift, r);
                sift.put("keep_unselected", false);
            }
            case RETRIEVER -> {
                ObjectNode sift = body.putObject("retriever").putObject("sift");
                knn(sift.putObject("retriever").putObject("knn"), r);
                selection(sift, r);
                sift.put("rank_window_size", r.window());
            }
            case DIVERSIFY -> {
                ObjectNode diversify = body.putObject("retriever").putObject("diversify");
                diversify.put("type", "mmr");
                knn(diversify.putObject("retriever").putObject("knn"), r);
                diversify.put("field", field);
                diversify.set("query_vector", EsClient.vector(r.queryVector()));
                diversify.put("lambda", r.mmrLambda());
                diversify.put("size", r.size());
                diversify.put("rank_window_size", r.window());
            }
        }
        return body;
    }

    private void knn(ObjectNode knn, Request r) {
        knn.put("field", field);
        knn.set("query_vector", EsClient.vector(r.queryVector()));
        knn.put("k", r.k());
        knn.put("num_candidates", r.numCandidates());
    }

    private void selection(ObjectNode sift, Request r) {
        sift.put("field", field);
        sift.set("query_vector", EsClient.vector(r.queryVector()));
        sift.put("method", r.method());
        sift.put("lambda", r.lambda());
        if ("mmr".equals(r.method())) {
            sift.put("mmr_lambda", r.mmrLambda());
        }
        sift.put("size", r.size());
        if (r.order() != null) {
            sift.put("order", r.order());
        }
    }

    /** The value of the first explanation detail (at any depth) whose description starts with {@code prefix}. */
    private static double detail(JsonNode explanation, String prefix) {
        for (JsonNode d : explanation.path("details")) {
            if (d.path("description").asText().startsWith(prefix)) {
                return d.path("value").asDouble();
            }
        }
        for (JsonNode d : explanation.path("details")) {
            double v = detail(d, prefix);
            if (Double.isNaN(v) == false) {
                return v;
            }
        }
        return Double.NaN;
    }
}
