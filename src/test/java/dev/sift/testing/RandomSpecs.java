package dev.sift.testing;

import dev.sift.es.ResultOrder;
import dev.sift.es.SelectionMethod;
import dev.sift.es.SelectionSpec;

import java.util.ArrayList;
import java.util.List;

import static org.elasticsearch.test.ESTestCase.between;
import static org.elasticsearch.test.ESTestCase.randomAlphaOfLengthBetween;
import static org.elasticsearch.test.ESTestCase.randomBoolean;
import static org.elasticsearch.test.ESTestCase.randomDoubleBetween;
import static org.elasticsearch.test.ESTestCase.randomFloat;
import static org.elasticsearch.test.ESTestCase.randomFrom;

/** Random valid {@link SelectionSpec}s for the round-trip tests of the rescore clause and the retriever. */
public final class RandomSpecs {

    private RandomSpecs() {}

    /** @param withVectors whether to set {@code query_vector} or {@code query_vectors} */
    public static SelectionSpec.Builder randomSpec(boolean withVectors) {
        SelectionSpec.Builder spec = new SelectionSpec.Builder().field(randomAlphaOfLengthBetween(1, 10));
        int dims = between(1, 8);
        if (withVectors) {
            if (randomBoolean()) {
                List<Float> v = new ArrayList<>();
                for (float f : randomVector(dims)) {
                    v.add(f);
                }
                spec.queryVector(v);
            } else {
                List<float[]> vectors = new ArrayList<>();
                for (int n = between(1, 3); n > 0; n--) {
                    vectors.add(randomVector(dims));
                }
                spec.queryVectors(vectors);
            }
        }
        if (randomBoolean()) {
            spec.lambda(randomDoubleBetween(1e-6, 10, true));
        }
        if (randomBoolean()) {
            spec.size(between(1, 100));
        }
        spec.method(randomFrom(SelectionMethod.values()));
        if (randomBoolean()) {
            spec.mmrLambda(randomDoubleBetween(0, 1, true));
        }
        if (randomBoolean()) {
            spec.alpha(randomDoubleBetween(0.001, 10, true));
        }
        if (randomBoolean()) {
            spec.minGain(randomDoubleBetween(0, 1, true));
        }
        if (randomBoolean()) {
            spec.targetVariance(randomDoubleBetween(0, 1, true));
        }
        if (randomBoolean()) {
            spec.order(randomFrom(ResultOrder.values()));
        }
        return spec;
    }

    private static float[] randomVector(int dims) {
        float[] v = new float[dims];
        for (int i = 0; i < dims; i++) {
            v[i] = randomFloat() * 2 - 1;
        }
        return v;
    }
}
