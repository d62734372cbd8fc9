package dev.sift.es;

import dev.sift.engine.Cancellation;
import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.backend.SelectionBackend;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.core.Nullable;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What to select, shared by the {@code sift} rescore clause and the {@code sift} retriever: the vector field,
 * the target vector(s), the method and its parameters. Immutable and validated when built, so a bad request is
 * refused with a 400 naming the parameter before any shard does work.
 */
public final class SelectionSpec implements Writeable {

    public static final ParseField FIELD = new ParseField("field");
    public static final ParseField QUERY_VECTOR = new ParseField("query_vector");
    public static final ParseField QUERY_VECTORS = new ParseField("query_vectors");
    public static final ParseField LAMBDA = new ParseField("lambda");
    public static final ParseField SIZE = new ParseField("size");
    public static final ParseField METHOD = new ParseField("method");
    public static final ParseField MMR_LAMBDA = new ParseField("mmr_lambda");
    public static final ParseField ALPHA = new ParseField("alpha");
    public static final ParseField MIN_GAIN = new ParseField("min_gain");
    public static final ParseField TARGET_VARIANCE = new ParseField("target_variance");
    public static final ParseField ORDER = new ParseField("order");

    public static final double DEFAULT_MMR_LAMBDA = 0.5;

    private final String field;
    /** Null only for a retriever that takes its vector from its inner knn retriever. */
    @Nullable
    private final List<float[]> queryVectors;
    /** Whether the request used {@code query_vectors} (kept so that XContent round-trips). */
    private final boolean multipleTargets;
    private final double lambda;
    @Nullable
    private final Integer size;
    private final SelectionMethod method;
    private final double mmrLambda;
    @Nullable
    private final Double alpha;
    @Nullable
    private final Double minGain;
    @Nullable
    private final Double targetVariance;
    private final ResultOrder order;

    private SelectionSpec(Builder b) {
        this.field = b.field;
        this.queryVectors = b.queryVectors == null ? null : List.copyOf(b.queryVectors);
        this.multipleTargets = b.multipleTargets;
        this.lambda = b.lambda;
        this.size = b.size;
        this.method = b.method;
        this.mmrLambda = b.mmrLambda;
        this.alpha = b.alpha;
        this.minGain = b.minGain;
        this.targetVariance = b.targetVariance;
        this.order = b.order;
    }

    public SelectionSpec(StreamInput in) throws IOException {
        this.field = in.readString();
        this.queryVectors = in.readBoolean() ? in.readCollectionAsImmutableList(StreamInput::readFloatArray) : null;
        this.multipleTargets = in.readBoolean();
        this.lambda = in.readDouble();
        this.size = in.readOptionalVInt();
        this.method = in.readEnum(SelectionMethod.class);
        this.mmrLambda = in.readDouble();
        this.alpha = in.readOptionalDouble();
        this.minGain = in.readOptionalDouble();
        this.targetVariance = in.readOptionalDouble();
        this.order = in.readEnum(ResultOrder.class);
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(field);
        out.writeBoolean(queryVectors != null);
        if (queryVectors != null) {
            out.writeCollection(queryVectors, StreamOutput::writeFloatArray);
        }
        out.writeBoolean(multipleTargets);
        out.writeDouble(lambda);
        out.writeOptionalVInt(size);
        out.writeEnum(method);
        out.writeDouble(mmrLambda);
        out.writeOptionalDouble(alpha);
        out.writeOptionalDouble(minGain);
        out.writeOptionalDouble(targetVariance);
        out.writeEnum(order);
    }

    /** Declares this spec's fields on a parser whose value type can hand out a {@link Builder}. */
    public static <T extends HasSpecBuilder> void declareFields(ObjectParser<T, Void> parser) {
        parser.declareString((t, v) -> t.specBuilder().field(v), FIELD);
        parser.declareFloatArray((t, v) -> t.specBuilder().queryVector(v), QUERY_VECTOR);
        parser.declareField(
            (t, v) -> t.specBuilder().queryVectors(v),
            SelectionSpec::parseVectorList,
            QUERY_VECTORS,
            ObjectParser.ValueType.OBJECT_ARRAY
        );
        parser.declareDouble((t, v) -> t.specBuilder().lambda(v), LAMBDA);
        parser.declareInt((t, v) -> t.specBuilder().size(v), SIZE);
        parser.declareString((t, v) -> t.specBuilder().method(SelectionMethod.fromString(v)), METHOD);
        parser.declareDouble((t, v) -> t.specBuilder().mmrLambda(v), MMR_LAMBDA);
        parser.declareDouble((t, v) -> t.specBuilder().alpha(v), ALPHA);
        parser.declareDouble((t, v) -> t.specBuilder().minGain(v), MIN_GAIN);
        parser.declareDouble((t, v) -> t.specBuilder().targetVariance(v), TARGET_VARIANCE);
        parser.declareString((t, v) -> t.specBuilder().order(ResultOrder.fromString(v)), ORDER);
    }

    /** A parse target that collects a spec's fields. */
    public interface HasSpecBuilder {
        Builder specBuilder();
    }

    private static List<float[]> parseVectorList(XContentParser parser) throws IOException {
        if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
            throw new IllegalArgumentException("[" + QUERY_VECTORS.getPreferredName() + "] must be an array of vectors");
        }
        List<float[]> vectors = new ArrayList<>();
        while (parser.nextToken() != XContentParser.Token.END_ARRAY) {
            if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
                throw new IllegalArgumentException(
                    "[" + QUERY_VECTORS.getPreferredName() + "] must be an array of vectors, each an array of numbers"
                );
            }
            List<Float> values = new ArrayList<>();
            while (parser.nextToken() != XContentParser.Token.END_ARRAY) {
                values.add(parser.floatValue());
            }
            vectors.add(toArray(values));
        }
        return vectors;
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** Writes the fields (not the enclosing object). */
    public void toXContentFields(XContentBuilder builder) throws IOException {
        builder.field(FIELD.getPreferredName(), field);
        if (queryVectors != null) {
            if (multipleTargets) {
                builder.startArray(QUERY_VECTORS.getPreferredName());
                for (float[] v : queryVectors) {
                    builder.value(v);
                }
                builder.endArray();
            } else {
                builder.field(QUERY_VECTOR.getPreferredName(), queryVectors.get(0));
            }
        }
        builder.field(LAMBDA.getPreferredName(), lambda);
        if (size != null) {
            builder.field(SIZE.getPreferredName(), size);
        }
        builder.field(METHOD.getPreferredName(), method.parseName());
        if (method == SelectionMethod.MMR || mmrLambda != DEFAULT_MMR_LAMBDA) {
            builder.field(MMR_LAMBDA.getPreferredName(), mmrLambda);
        }
        if (alpha != null) {
            builder.field(ALPHA.getPreferredName(), alpha);
        }
        if (minGain != null) {
            builder.field(MIN_GAIN.getPreferredName(), minGain);
        }
        if (targetVariance != null) {
            builder.field(TARGET_VARIANCE.getPreferredName(), targetVariance);
        }
        if (order != ResultOrder.SELECTION) {
            builder.field(ORDER.getPreferredName(), order.parseName());
        }
    }

    public String field() {
        return field;
    }

    /** The target vectors as sent (not yet normalised), or null if a retriever is to supply them. */
    @Nullable
    public List<float[]> queryVectors() {
        return queryVectors;
    }

    /** The request parameter the target vectors came from, for error messages. */
    public String queryVectorParameter() {
        return (multipleTargets ? QUERY_VECTORS : QUERY_VECTOR).getPreferredName();
    }

    public double lambda() {
        return lambda;
    }

    /** The requested number of picks, or null for the caller's default. */
    @Nullable
    public Integer size() {
        return size;
    }

    public SelectionMethod method() {
        return method;
    }

    public double mmrLambda() {
        return mmrLambda;
    }

    /** The order the selected hits are returned in. */
    public ResultOrder order() {
        return order;
    }

    /** The same spec with the given target vectors (for a retriever that takes them from its inner knn). */
    public SelectionSpec withQueryVectors(List<float[]> vectors) {
        Builder b = toBuilder();
        b.queryVectors(vectors);
        return b.build(true);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.field = field;
        b.queryVectors = queryVectors;
        b.multipleTargets = multipleTargets;
        b.lambda = lambda;
        b.size = size;
        b.method = method;
        b.mmrLambda = mmrLambda;
        b.alpha = alpha;
        b.minGain = minGain;
        b.targetVariance = targetVariance;
        b.order = order;
        return b;
    }

    /** The engine options for a selection of at most {@code picks}. */
    public SiftOptions options(int picks) {
        // a clause never comes back empty because of a stopping rule while some hit has a vector
        SiftOptions.Builder b = SiftOptions.builder(picks).lambda(lambda).keepFirstPick(true);
        if (alpha != null) {
            b.alpha(alpha);
        }
        if (minGain != null) {
            b.minGain(minGain);
        }
        if (targetVariance != null) {
            b.targetVariance(targetVariance);
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        SelectionSpec that = (SelectionSpec) o;
        return multipleTargets == that.multipleTargets
            && Double.compare(lambda, that.lambda) == 0
            && Double.compare(mmrLambda, that.mmrLambda) == 0
            && field.equals(that.field)
            && vectorsEqual(queryVectors, that.queryVectors)
            && Objects.equals(size, that.size)
            && method == that.method
            && Objects.equals(alpha, that.alpha)
            && Objects.equals(minGain, that.minGain)
            && Objects.equals(targetVariance, that.targetVariance)
            && order == that.order;
    }

    private static boolean vectorsEqual(List<float[]> a, List<float[]> b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (Arrays.equals(a.get(i), b.get(i)) == false) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(field, multipleTargets, lambda, size, method, mmrLambda, alpha, minGain, targetVariance, order);
        if (queryVectors != null) {
            for (float[] v : queryVectors) {
                h = 31 * h + Arrays.hashCode(v);
            }
        }
        return h;
    }

    /** Collects and validates the fields; every error names the parameter. */
    public static final class Builder {
        private String field;
        private List<float[]> queryVectors;
        private boolean multipleTargets;
        private boolean sawQueryVector;
        private boolean sawQueryVectors;
        private double lambda = SiftOptions.DEFAULT_LAMBDA;
        private Integer size;
        private SelectionMethod method = SelectionMethod.SIFT;
        private double mmrLambda = DEFAULT_MMR_LAMBDA;
        private Double alpha;
        private Double minGain;
        private Double targetVariance;
        private ResultOrder order = ResultOrder.SELECTION;

        public Builder field(String field) {
            this.field = field;
            return this;
        }

        public Builder queryVector(List<Float> vector) {
            sawQueryVector = true;
            this.queryVectors = List.of(toArray(vector));
            this.multipleTargets = false;
            return this;
        }

        public Builder queryVectors(List<float[]> vectors) {
            sawQueryVectors = true;
            this.queryVectors = vectors;
            this.multipleTargets = true;
            return this;
        }

        public Builder lambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        public Builder size(Integer size) {
            this.size = size;
            return this;
        }

        public Builder method(SelectionMethod method) {
            this.method = Objects.requireNonNull(method);
            return this;
        }

        public Builder mmrLambda(double mmrLambda) {
            this.mmrLambda = mmrLambda;
            return this;
        }

        public Builder alpha(Double alpha) {
            this.alpha = alpha;
            return this;
        }

        public Builder minGain(Double minGain) {
            this.minGain = minGain;
            return this;
        }

        public Builder targetVariance(Double targetVariance) {
            this.targetVariance = targetVariance;
            return this;
        }

        public Builder order(ResultOrder order) {
            this.order = Objects.requireNonNull(order);
            return this;
        }

        /**
         * @param vectorsRequired whether exactly one of {@code query_vector} / {@code query_vectors} must be given
         *                        (the retriever may take its vector from its inner knn retriever instead)
         * @throws IllegalArgumentException naming the first invalid parameter
         */
        public SelectionSpec build(boolean vectorsRequired) {
            if (field == null || field.isEmpty()) {
                throw new IllegalArgumentException("[" + FIELD.getPreferredName() + "] is required");
            }
            if (sawQueryVector && sawQueryVectors) {
                throw new IllegalArgumentException(
                    "only one of [" + QUERY_VECTOR.getPreferredName() + "] and [" + QUERY_VECTORS.getPreferredName() + "] may be given"
                );
            }
            if (queryVectors == null && vectorsRequired) {
                throw new IllegalArgumentException(
                    "one of [" + QUERY_VECTOR.getPreferredName() + "] or [" + QUERY_VECTORS.getPreferredName() + "] is required"
                );
            }
            if (queryVectors != null) {
                checkVectors();
            }
            if (size != null && size < 1) {
                throw new IllegalArgumentException("[" + SIZE.getPreferredName() + "] must be at least 1, got " + size);
            }
            if (Double.isFinite(mmrLambda) == false || mmrLambda < 0 || mmrLambda > 1) {
                throw new IllegalArgumentException("[" + MMR_LAMBDA.getPreferredName() + "] must be a number in [0, 1], got " + mmrLambda);
            }
            SelectionSpec spec = new SelectionSpec(this);
            spec.options(size == null ? 1 : size); // validates lambda, alpha, min_gain and target_variance
            return spec;
        }

        private void checkVectors() {
            String name = multipleTargets ? QUERY_VECTORS.getPreferredName() : QUERY_VECTOR.getPreferredName();
            if (queryVectors.isEmpty()) {
                throw new IllegalArgumentException("[" + name + "] must hold at least one vector");
            }
            int dims = queryVectors.get(0).length;
            for (int v = 0; v < queryVectors.size(); v++) {
                float[] vector = queryVectors.get(v);
                String where = multipleTargets ? name + "][" + v : name;
                if (vector.length == 0) {
                    throw new IllegalArgumentException("[" + where + "] must not be empty");
                }
                if (vector.length != dims) {
                    throw new IllegalArgumentException(
                        "[" + name + "] must all have the same dimension: vector " + v + " has " + vector.length + ", vector 0 has " + dims
                    );
                }
                for (int i = 0; i < vector.length; i++) {
                    if (Float.isFinite(vector[i]) == false) {
                        throw new IllegalArgumentException(
                            "[" + where + "] must hold finite numbers, got [" + vector[i] + "] at dimension " + i
                        );
                    }
                }
            }
        }
    }
}
