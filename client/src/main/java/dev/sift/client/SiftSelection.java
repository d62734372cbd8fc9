package dev.sift.client;

import jakarta.json.stream.JsonGenerator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The selection parameters the {@code sift} rescore clause and the {@code sift} retriever share, with the names and
 * checks of the server (README, "The rescore clause"): an {@link IllegalArgumentException} names the parameter,
 * as the server's 400 would, before anything is sent.
 */
public abstract class SiftSelection {

    /** {@code method}: the selection made. */
    public enum Method {
        SIFT,
        NEAREST,
        MMR;

        String jsonValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code order}: how the selected hits are listed. */
    public enum Order {
        SELECTION,
        RELEVANCE;

        String jsonValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String field;
    private final List<float[]> queryVectors;
    private final boolean multipleTargets;
    private final Double lambda;
    private final Integer size;
    private final Method method;
    private final Double mmrLambda;
    private final Double alpha;
    private final Double minGain;
    private final Double targetVariance;
    private final Order order;

    SiftSelection(AbstractBuilder<?> b, boolean vectorsRequired) {
        if (b.field == null || b.field.isEmpty()) {
            throw new IllegalArgumentException("[field] is required");
        }
        if (b.queryVectors == null && vectorsRequired) {
            throw new IllegalArgumentException("one of [query_vector] or [query_vectors] is required");
        }
        if (b.queryVectors != null) {
            checkVectors(b.queryVectors, b.multipleTargets ? "query_vectors" : "query_vector");
        }
        if (b.lambda != null && (Double.isFinite(b.lambda) == false || b.lambda <= 0)) {
            throw new IllegalArgumentException("[lambda] must be a finite number > 0, got " + b.lambda);
        }
        if (b.size != null && b.size < 1) {
            throw new IllegalArgumentException("[size] must be at least 1, got " + b.size);
        }
        checkUnit("mmr_lambda", b.mmrLambda);
        if (b.alpha != null && (Double.isFinite(b.alpha) == false || b.alpha <= 0)) {
            throw new IllegalArgumentException("[alpha] must be a finite number > 0, got " + b.alpha);
        }
        checkUnit("min_gain", b.minGain);
        checkUnit("target_variance", b.targetVariance);
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

    private static void checkUnit(String name, Double value) {
        if (value != null && (Double.isFinite(value) == false || value < 0 || value > 1)) {
            throw new IllegalArgumentException("[" + name + "] must be a number in [0, 1], got " + value);
        }
    }

    private static void checkVectors(List<float[]> vectors, String name) {
        if (vectors.isEmpty()) {
            throw new IllegalArgumentException("[" + name + "] must hold at least one vector");
        }
        int dims = vectors.get(0).length;
        for (int v = 0; v < vectors.size(); v++) {
            float[] vector = vectors.get(v);
            if (vector.length == 0) {
                throw new IllegalArgumentException("[" + name + "] must not be empty");
            }
            if (vector.length != dims) {
                throw new IllegalArgumentException(
                    "[" + name + "] must all have the same dimension: vector " + v + " has " + vector.length + ", vector 0 has " + dims
                );
            }
            for (int i = 0; i < vector.length; i++) {
                if (Float.isFinite(vector[i]) == false) {
                    throw new IllegalArgumentException("[" + name + "] must hold finite numbers, got [" + vector[i] + "] at dimension " + i);
                }
            }
        }
    }

    /** The number of hits to select, or null for the server's default. */
    public Integer size() {
        return size;
    }

    /** Writes the shared fields into the current JSON object. */
    void serializeFields(JsonGenerator generator) {
        generator.write("field", field);
        if (queryVectors != null) {
            if (multipleTargets) {
                generator.writeStartArray("query_vectors");
                for (float[] v : queryVectors) {
                    writeVector(generator, v);
                }
                generator.writeEnd();
            } else {
                generator.writeKey("query_vector");
                writeVector(generator, queryVectors.get(0));
            }
        }
        writeIfSet(generator, "lambda", lambda);
        if (size != null) {
            generator.write("size", size);
        }
        if (method != null) {
            generator.write("method", method.jsonValue());
        }
        writeIfSet(generator, "mmr_lambda", mmrLambda);
        writeIfSet(generator, "alpha", alpha);
        writeIfSet(generator, "min_gain", minGain);
        writeIfSet(generator, "target_variance", targetVariance);
        if (order != null) {
            generator.write("order", order.jsonValue());
        }
    }

    private static void writeIfSet(JsonGenerator generator, String name, Double value) {
        if (value != null) {
            generator.write(name, value);
        }
    }

    private static void writeVector(JsonGenerator generator, float[] vector) {
        generator.writeStartArray();
        for (float f : vector) {
            generator.write(f); // a float widened to double prints the same float back (parsed as float on the server)
        }
        generator.writeEnd();
    }

    /** The builder of the shared parameters; each setter takes the REST parameter of the same name. */
    @SuppressWarnings("unchecked")
    public abstract static class AbstractBuilder<B extends AbstractBuilder<B>> {
        private String field;
        private List<float[]> queryVectors;
        private boolean multipleTargets;
        private Double lambda;
        private Integer size;
        private Method method;
        private Double mmrLambda;
        private Double alpha;
        private Double minGain;
        private Double targetVariance;
        private Order order;

        /** {@code field}: the {@code dense_vector} field. */
        public B field(String field) {
            this.field = field;
            return (B) this;
        }

        /** {@code query_vector}: the target vector. */
        public B queryVector(float... vector) {
            this.queryVectors = List.of(vector.clone());
            this.multipleTargets = false;
            return (B) this;
        }

        /** {@code query_vector}: the target vector, as the client's own APIs carry vectors. */
        public B queryVector(List<Float> vector) {
            float[] v = new float[vector.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = vector.get(i);
            }
            return queryVector(v);
        }

        /** {@code query_vectors}: several targets, whose posterior variances are summed. */
        public B queryVectors(List<float[]> vectors) {
            List<float[]> copy = new ArrayList<>();
            vectors.forEach(v -> copy.add(v.clone()));
            this.queryVectors = copy;
            this.multipleTargets = true;
            return (B) this;
        }

        /** {@code lambda}: the noise variance λ > 0 (server default 0.01). */
        public B lambda(double lambda) {
            this.lambda = lambda;
            return (B) this;
        }

        /** {@code size}: how many hits to select. */
        public B size(int size) {
            this.size = size;
            return (B) this;
        }

        /** {@code method}: {@code sift} (default), {@code nearest} or {@code mmr}. */
        public B method(Method method) {
            this.method = method;
            return (B) this;
        }

        /** {@code mmr_lambda}: MMR's relevance weight in [0, 1]. */
        public B mmrLambda(double mmrLambda) {
            this.mmrLambda = mmrLambda;
            return (B) this;
        }

        /** {@code alpha}: activeft's adaptive mask, > 0. */
        public B alpha(double alpha) {
            this.alpha = alpha;
            return (B) this;
        }

        /** {@code min_gain}: stop before a pick whose gain is below this share of the prior uncertainty. */
        public B minGain(double minGain) {
            this.minGain = minGain;
            return (B) this;
        }

        /** {@code target_variance}: stop once the uncertainty left is at most this share of the prior. */
        public B targetVariance(double targetVariance) {
            this.targetVariance = targetVariance;
            return (B) this;
        }

        /** {@code order}: {@code selection} (default) or {@code relevance}. */
        public B order(Order order) {
            this.order = order;
            return (B) this;
        }

        boolean hasQueryVectors() {
            return queryVectors != null;
        }
    }
}
