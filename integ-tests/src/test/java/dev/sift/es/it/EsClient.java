package dev.sift.es.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny JSON-over-HTTP client for the node under test. */
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

    private final String baseUrl;
    private final HttpClient http;

    public EsClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
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
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + (path.startsWith("/") ? path : "/" + path)))
            .timeout(Duration.ofSeconds(120));
        if (payload == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            String type = path.contains("_bulk") ? "application/x-ndjson" : "application/json";
            b.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(payload));
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
