package dev.sift.client;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.json.JsonpDeserializer;
import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.JsonpSerializable;
import co.elastic.clients.transport.endpoints.SimpleEndpoint;
import jakarta.json.stream.JsonGenerator;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A search whose retriever is a {@code sift} retriever, sent through the client's own transport (its connection,
 * authentication, headers and error handling) and answered as the client's typed {@link SearchResponse}:
 *
 * <pre>{@code
 * SearchResponse<MyDoc> response = SiftSearch.search(client, s -> s.index("my-index").retriever(sift).size(10), MyDoc.class);
 * }</pre>
 *
 * The client's {@code SearchRequest} cannot carry a plugin's retriever (its {@code Retriever} has no custom variant,
 * and {@code withJson} refuses the unknown field), so this sends the body itself; the response is the same
 * {@code _search} response, read by the client's deserializer.
 */
public final class SiftSearch implements JsonpSerializable {

    private final List<String> indices;
    private final SiftRetriever retriever;
    private final Integer size;
    private final Integer from;
    private final Boolean explain;
    private final Boolean source;

    private SiftSearch(Builder b) {
        if (b.indices == null || b.indices.isEmpty()) {
            throw new IllegalArgumentException("[index] is required");
        }
        this.indices = List.copyOf(b.indices);
        this.retriever = Objects.requireNonNull(b.retriever, "[retriever] is required");
        this.size = b.size;
        this.from = b.from;
        this.explain = b.explain;
        this.source = b.source;
    }

    /** Sends the search; failures come as the client's {@code ElasticsearchException}, as for its own searches. */
    public static <T> SearchResponse<T> search(ElasticsearchClient client, Function<Builder, Builder> fn, Class<T> documentClass)
        throws IOException {
        SiftSearch request = fn.apply(new Builder()).build();
        JsonpDeserializer<SearchResponse<T>> responses = SearchResponse.createSearchResponseDeserializer(
            JsonpDeserializer.of(documentClass)
        );
        SimpleEndpoint<SiftSearch, SearchResponse<T>> endpoint = new SimpleEndpoint<>(
            "sift.search",
            r -> "POST",
            r -> "/" + String.join(",", r.indices) + "/_search",
            r -> Map.of(),
            r -> Map.of(),
            r -> Map.of(),
            true,
            responses
        );
        return client._transport().performRequest(request, endpoint, client._transportOptions());
    }

    @Override
    public void serialize(JsonGenerator generator, JsonpMapper mapper) {
        generator.writeStartObject();
        generator.writeKey("retriever");
        retriever.serialize(generator, mapper);
        if (size != null) {
            generator.write("size", size);
        }
        if (from != null) {
            generator.write("from", from);
        }
        if (explain != null) {
            generator.write("explain", explain);
        }
        if (source != null) {
            generator.write("_source", source);
        }
        generator.writeEnd();
    }

    /** The search: {@code index} and {@code retriever} are required. */
    public static final class Builder {
        private List<String> indices;
        private SiftRetriever retriever;
        private Integer size;
        private Integer from;
        private Boolean explain;
        private Boolean source;

        public Builder index(String... indices) {
            this.indices = List.of(indices);
            return this;
        }

        public Builder retriever(SiftRetriever retriever) {
            this.retriever = retriever;
            return this;
        }

        /** The search's {@code size}: how many of the selected hits to return (default: all of them). */
        public Builder size(int size) {
            this.size = size;
            return this;
        }

        /** The search's {@code from}: pages through the selected hits. */
        public Builder from(int from) {
            this.from = from;
            return this;
        }

        public Builder explain(boolean explain) {
            this.explain = explain;
            return this;
        }

        /** {@code _source}: false to leave the documents out. */
        public Builder source(boolean source) {
            this.source = source;
            return this;
        }

        public SiftSearch build() {
            return new SiftSearch(this);
        }
    }
}
