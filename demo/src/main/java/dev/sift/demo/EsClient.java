package dev.sift.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The few Elasticsearch REST calls the demo and the evaluation make, over {@code java.net.http} with Jackson
 * trees. Every call throws {@link EsException} naming the request and the node's answer when the status is not
 * 2xx, so that a missing plugin or a wrong mapping shows up as the node's own error message.
 */
public final class EsClient {

    /** A REST call that failed; the message carries the method, path, status and the response body. */
    public static final class EsException extends RuntimeException {
        public EsException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static final ObjectMapper JSON = new ObjectMapper();

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
    /** Documents per bulk request: small enough to stay far below http.max_content_length with 384-d vectors. */
    private static final int BULK_BATCH = 500;

    private final URI base;
    private final HttpClient http;

    public EsClient(String baseUrl) {
        String url = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.base = URI.create(url);
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    public String url() {
        return base.toString();
    }

    /**
     * The Elasticsearch version of the node that answers ({@code GET /} is not used: the integ-test distribution
     * lacks the module that serves it). Fails with a hint when nothing listens at the URL.
     */
    public String version() {
        JsonNode nodes = call("GET", "/_nodes/_local?filter_path=nodes.*.version", null).path("nodes");
        return nodes.isEmpty() ? "?" : nodes.elements().next().path("version").asText();
    }

    /** Names of the plugins installed on the nodes ({@code _cat/plugins}). */
    public List<String> pluginNames() {
        JsonNode rows = call("GET", "/_cat/plugins?format=json", null);
        return rows.findValuesAsText("component");
    }

    public boolean indexExists(String index) {
        return status("HEAD", "/" + index) == 200;
    }

    public void deleteIndex(String index) {
        if (indexExists(index)) {
            call("DELETE", "/" + index, null);
        }
    }

    /**
     * Creates an index with one primary shard and no replica: the {@code sift} rescore clause selects per shard,
     * so one shard makes its selection global, which is what the demo and the evaluation compare.
     *
     * <p>The vectors are indexed as float HNSW ({@code index_options.type: hnsw}). Elasticsearch 8.19 would default
     * to {@code int8_hnsw} for 384 dimensions, whose quantised scores can swap near-ties in the kNN order; with
     * floats the kNN order is the cosine order (up to HNSW's approximation), which the comparisons assume. The
     * {@code sift} clause reads the float vectors either way.
     */
    public void createVectorIndex(String index, String vectorField, int dims, Map<String, String> otherFields) {
        createVectorIndex(index, vectorField, dims, otherFields, 1);
    }

    /** As above with {@code shards} primary shards (the evaluation's per-shard against global comparison). */
    public void createVectorIndex(String index, String vectorField, int dims, Map<String, String> otherFields, int shards) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode settings = body.putObject("settings");
        settings.put("number_of_shards", shards);
        settings.put("number_of_replicas", 0);
        ObjectNode props = body.putObject("mappings").putObject("properties");
        ObjectNode vector = props.putObject(vectorField);
        vector.put("type", "dense_vector");
        vector.put("dims", dims);
        vector.put("index", true);
        vector.put("similarity", "cosine");
        vector.putObject("index_options").put("type", "hnsw");
        for (Map.Entry<String, String> e : otherFields.entrySet()) {
            props.putObject(e.getKey()).put("type", e.getValue());
        }
        call("PUT", "/" + index, body);
    }

    /** Indexes documents (each a JSON object with an {@code _id} text field, removed from the source) in batches. */
    public void bulkIndex(String index, List<ObjectNode> docs) {
        for (int from = 0; from < docs.size(); from += BULK_BATCH) {
            StringBuilder ndjson = new StringBuilder();
            for (ObjectNode doc : docs.subList(from, Math.min(docs.size(), from + BULK_BATCH))) {
                ObjectNode source = doc.deepCopy();
                String id = source.remove("_id").asText();
                ObjectNode action = JSON.createObjectNode();
                action.putObject("index").put("_index", index).put("_id", id);
                ndjson.append(action).append('\n').append(source).append('\n');
            }
            JsonNode response = send("POST", "/_bulk", ndjson.toString(), "application/x-ndjson");
            if (response.path("errors").asBoolean()) {
                JsonNode firstError = null;
                for (JsonNode item : response.path("items")) {
                    if (item.path("index").has("error")) {
                        firstError = item.path("index").path("error");
                        break;
                    }
                }
                throw new EsException("bulk indexing into [" + index + "] failed, first error: " + firstError, null);
            }
        }
        call("POST", "/" + index + "/_refresh", null);
    }

    public JsonNode search(String index, JsonNode body) {
        return call("POST", "/" + index + "/_search", body);
    }

    /** Builds {@code [1.0, 2.0, ...]} for a request body. */
    public static ArrayNode vector(float[] v) {
        ArrayNode array = JSON.createArrayNode();
        for (float x : v) {
            array.add(x);
        }
        return array;
    }

    public JsonNode call(String method, String path, JsonNode body) {
        return send(method, path, body == null ? null : body.toString(), "application/json");
    }

    private JsonNode send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response = exchange(request.build(), HttpResponse.BodyHandlers.ofString(), method, path);
        if (response.statusCode() / 100 != 2) {
            throw new EsException(method + " " + path + " answered " + response.statusCode() + ": " + abbreviate(response.body()), null);
        }
        try {
            return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new EsException(method + " " + path + " returned invalid JSON: " + abbreviate(response.body()), e);
        }
    }

    private int status(String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
            .timeout(REQUEST_TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
        return exchange(request, HttpResponse.BodyHandlers.discarding(), method, path).statusCode();
    }

    /** Sends one request, turning transport failures into an {@link EsException} that says what to do. */
    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler, String method, String path) {
        try {
            return http.send(request, handler);
        } catch (ConnectException e) {
            throw new EsException("no Elasticsearch node answers at " + base + " (start one with: scripts/node.sh start)", e);
        } catch (IOException e) {
            throw new EsException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EsException(method + " " + path + " was interrupted", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
    }
}
