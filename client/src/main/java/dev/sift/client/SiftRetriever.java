package dev.sift.client;

import co.elastic.clients.elasticsearch._types.Retriever;
import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.JsonpSerializable;
import jakarta.json.stream.JsonGenerator;

import java.util.Objects;
import java.util.function.Function;

/**
 * The {@code sift} retriever, typed: one selection over the global top {@code rank_window_size} hits of an inner
 * retriever built with the client's own {@link Retriever}. The client's {@code Retriever} has no variant for a
 * plugin's retriever, so {@link SiftSearch} sends it.
 *
 * <pre>{@code
 * SiftRetriever sift = SiftRetriever.of(s -> s
 *     .retriever(Retriever.of(r -> r.knn(k -> k.field("emb").queryVector(qList).k(100).numCandidates(200))))
 *     .field("emb").rankWindowSize(100).size(10));
 * }</pre>
 *
 * {@code query_vector} may be left out when the inner retriever is {@code knn}: the server then takes its vector.
 */
public final class SiftRetriever extends SiftSelection implements JsonpSerializable {

    private final Retriever retriever;
    private final Integer rankWindowSize;

    private SiftRetriever(Builder b) {
        super(b, false);
        if (b.retriever == null) {
            throw new IllegalArgumentException("[sift] [retriever] is required");
        }
        if (b.hasQueryVectors() == false && b.retriever._kind() != Retriever.Kind.Knn) {
            throw new IllegalArgumentException(
                "one of [query_vector] or [query_vectors] is required unless the inner [retriever] is a [knn] retriever, got ["
                    + b.retriever._kind().jsonValue() + "]"
            );
        }
        if (b.rankWindowSize != null && b.rankWindowSize < 1) {
            throw new IllegalArgumentException("[rank_window_size] must be at least 1, got " + b.rankWindowSize);
        }
        int window = b.rankWindowSize == null ? 100 : b.rankWindowSize;
        if (size() != null && size() > window) {
            throw new IllegalArgumentException("[size] must be at most [rank_window_size] (" + window + "), got " + size());
        }
        this.retriever = b.retriever;
        this.rankWindowSize = b.rankWindowSize;
    }

    public static SiftRetriever of(Function<Builder, Builder> fn) {
        return fn.apply(new Builder()).build();
    }

    /** Writes {@code {"sift": {...}}}, the retriever as the search body's {@code retriever} holds it. */
    @Override
    public void serialize(JsonGenerator generator, JsonpMapper mapper) {
        generator.writeStartObject();
        generator.writeKey("sift");
        generator.writeStartObject();
        generator.writeKey("retriever");
        retriever.serialize(generator, mapper);
        serializeFields(generator);
        if (rankWindowSize != null) {
            generator.write("rank_window_size", rankWindowSize);
        }
        generator.writeEnd();
        generator.writeEnd();
    }

    /** The retriever's parameters; {@code retriever} and {@code field} are required. */
    public static final class Builder extends SiftSelection.AbstractBuilder<Builder> {
        private Retriever retriever;
        private Integer rankWindowSize;

        /** {@code retriever}: the inner retriever that finds the candidates ({@code knn}, {@code standard}, ...). */
        public Builder retriever(Retriever retriever) {
            this.retriever = Objects.requireNonNull(retriever);
            return this;
        }

        /** {@code rank_window_size}: how many of the inner retriever's global top hits to select from (server default 100). */
        public Builder rankWindowSize(int rankWindowSize) {
            this.rankWindowSize = rankWindowSize;
            return this;
        }

        public SiftRetriever build() {
            return new SiftRetriever(this);
        }
    }
}
