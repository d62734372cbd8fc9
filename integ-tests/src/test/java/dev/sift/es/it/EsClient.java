package dev.sift.es.it;

import org.apache.http.HttpHost;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node under test over Elasticsearch's low-level REST client, with bodies as {@link Json} values: every status
 * comes back as a {@link Response} (the tests assert on 4xx answers too).
 */
public final class EsClient {

    /** One HTTP answer; {@link #json()} parses the body lazily. */
    public static final class Response {
        public final int status;
        public final String body;
        private Object json;

        Response(int status, String body) {
            this.status = status;
            this.body = body;
        }

        public Object json() {
            if (json == null && body != null && !body.isBlank()) json = Json.parse(body);
            return json;
        }

        /** {@link Json#at} on the parsed body. */
        public <T> T at(String path) {
            return Json.at(json(), path);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** One REST client per node URL for the whole test JVM (each has its own I/O threads). */
    private static final Map<String, RestClient> CLIENTS = new ConcurrentHashMap<>();

    private final String baseUrl;
    private final RestClient rest;

    public EsClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.rest = CLIENTS.computeIfAbsent(
            this.baseUrl,
            url -> RestClient.builder(HttpHost.create(url))
                .setRequestConfigCallback(c -> c.setConnectTimeout(10_000).setSocketTimeout(120_000))
                .build()
        );
    }

    public String baseUrl() {
        return baseUrl;
    }

    public Response get(String path) {
        return request("GET", path, null);
    }

    public Response delete(String path) {
        return request("DELETE", path, null);
    }

    public Response put(String path, Object body) {
        return request("PUT", path, body);
    }

    public Response post(String path, Object body) {
        return request("POST", path, body);
    }

    /**
     * Sends a request. A String body is sent verbatim (so tests can send what the JSON writer would
     * not); anything else goes through {@link Json#write}. A body for _bulk must be a String.
     */
    public Response request(String method, String path, Object body) {
        String payload = body == null ? null : body instanceof String s ? s : Json.write(body);
        int query = path.indexOf('?');
        String endpoint = path.startsWith("/") ? path : "/" + path;
        Request request = new Request(method, query < 0 ? endpoint : endpoint.substring(0, endpoint.indexOf('?')));
        if (query >= 0) {
            for (String pair : path.substring(query + 1).split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                request.addParameter(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        if (payload != null) {
            String type = path.contains("_bulk") ? "application/x-ndjson" : "application/json";
            request.setEntity(new NStringEntity(payload, ContentType.create(type, StandardCharsets.UTF_8)));
        }
        org.elasticsearch.client.Response response;
        try {
            response = rest.performRequest(request);
        } catch (ResponseException e) {
            response = e.getResponse();
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        }
        try {
            String text = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            return new Response(response.getStatusLine().getStatusCode(), text);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + ": reading the answer failed", e);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
