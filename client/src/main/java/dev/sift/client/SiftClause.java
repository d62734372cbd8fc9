package dev.sift.client;

import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.JsonpSerializable;
import jakarta.json.stream.JsonGenerator;

import java.util.function.Function;

/**
 * The {@code sift} rescore clause, typed. The Java client sends it as a custom rescorer:
 *
 * <pre>{@code
 * SiftClause sift = SiftClause.of(s -> s.field("emb").queryVector(q).size(10));
 * client.search(r -> r.index("my-index")
 *         .knn(k -> k.field("emb").queryVector(qList).k(100).numCandidates(200))
 *         .rescore(x -> x.windowSize(100)._custom(SiftClause.NAME, sift)),
 *     MyDoc.class);
 * }</pre>
 *
 * Every parameter is checked as the server checks it, so a bad one fails here, naming it.
 */
public final class SiftClause extends SiftSelection implements JsonpSerializable {

    /** The rescorer's name, for {@code Rescore.Builder#_custom}. */
    public static final String NAME = "sift";

    private final Boolean keepUnselected;

    private SiftClause(Builder b) {
        super(b, true);
        this.keepUnselected = b.keepUnselected;
    }

    public static SiftClause of(Function<Builder, Builder> fn) {
        return fn.apply(new Builder()).build();
    }

    @Override
    public void serialize(JsonGenerator generator, JsonpMapper mapper) {
        generator.writeStartObject();
        serializeFields(generator);
        if (keepUnselected != null) {
            generator.write("keep_unselected", keepUnselected);
        }
        generator.writeEnd();
    }

    /** The clause's parameters; {@code field} and one of {@code query_vector(s)} are required. */
    public static final class Builder extends SiftSelection.AbstractBuilder<Builder> {
        private Boolean keepUnselected;

        /** {@code keep_unselected}: whether the window's other hits follow the selection (server default true). */
        public Builder keepUnselected(boolean keepUnselected) {
            this.keepUnselected = keepUnselected;
            return this;
        }

        public SiftClause build() {
            return new SiftClause(this);
        }
    }
}
