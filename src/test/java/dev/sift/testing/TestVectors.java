package dev.sift.testing;

import java.util.Random;

/** Small float-vector helpers for building test corpora (Gaussian clouds around centres, unit vectors). */
public final class TestVectors {

    private TestVectors() {}

    public static float[] gaussian(Random random, int dims, float sigma) {
        float[] v = new float[dims];
        for (int i = 0; i < dims; i++) {
            v[i] = (float) (random.nextGaussian() * sigma);
        }
        return v;
    }

    public static float[] add(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    public static float[] scale(float[] a, float s) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * s;
        }
        return out;
    }

    public static double dot(float[] a, float[] b) {
        return dot(a, 0, b, 0, a.length);
    }

    /**
     * Row {@code i} of {@code u} times row {@code j} of {@code v}, both flat row-major with {@code dims} columns: a plain
     * sequential double sum, the tests' reference (the engine's kernels sum in lanes).
     */
    public static double dot(float[] u, int i, float[] v, int j, int dims) {
        double s = 0;
        for (int d = 0; d < dims; d++) {
            s += (double) u[i * dims + d] * v[j * dims + d];
        }
        return s;
    }

    /** Unit length in float (norm taken in double), as {@code dot_product} fields require. */
    public static float[] unit(float[] v) {
        double n = Math.sqrt(dot(v, v));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }
}
