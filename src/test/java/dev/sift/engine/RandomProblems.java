package dev.sift.engine;

import java.util.Random;

/**
 * Random candidate sets with the structure that makes SIFT differ from nearest neighbours: a few clusters,
 * unnormalised norms, planted exact copies, near copies and anti-aligned copies ({@code −x}).
 */
final class RandomProblems {

    private RandomProblems() {}

    /** Dimensions to test: small, not multiples of 8, multiples of 8, and around the 8-lane blocks. */
    static final int[] DIMS = { 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100 };

    /** A random vector of {@code dims} Gaussian entries scaled to norm {@code norm}. */
    static float[] gaussian(Random random, int dims, double norm) {
        double[] v = new double[dims];
        double sq = 0;
        for (int i = 0; i < dims; i++) {
            v[i] = random.nextGaussian();
            sq += v[i] * v[i];
        }
        double scale = sq == 0 ? 0 : norm / Math.sqrt(sq);
        float[] out = new float[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = (float) (v[i] * scale);
        }
        return out;
    }

    /**
     * {@code count} candidates: each is either a fresh vector around one of a few cluster centres, an exact copy
     * of an earlier candidate, a near copy (tiny perturbation), or an earlier candidate negated. Norms vary
     * over two orders of magnitude unless {@code unit}.
     */
    static float[] candidates(Random random, int count, int dims, boolean unit) {
        float[] out = new float[count * dims];
        int clusters = 1 + random.nextInt(5);
        float[][] centres = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            centres[c] = gaussian(random, dims, 1.0);
        }
        for (int i = 0; i < count; i++) {
            int kind = i == 0 ? 0 : random.nextInt(10);
            float[] v;
            if (kind == 7) { // exact copy
                int j = random.nextInt(i);
                v = new float[dims];
                System.arraycopy(out, j * dims, v, 0, dims);
            } else if (kind == 8) { // near copy
                int j = random.nextInt(i);
                v = new float[dims];
                float[] noise = gaussian(random, dims, 1e-3);
                for (int k = 0; k < dims; k++) {
                    v[k] = out[j * dims + k] + noise[k];
                }
            } else if (kind == 9) { // anti-aligned
                int j = random.nextInt(i);
                v = new float[dims];
                for (int k = 0; k < dims; k++) {
                    v[k] = -out[j * dims + k];
                }
            } else {
                float[] centre = centres[random.nextInt(clusters)];
                float[] noise = gaussian(random, dims, 0.2 + random.nextDouble());
                v = new float[dims];
                for (int k = 0; k < dims; k++) {
                    v[k] = centre[k] + noise[k];
                }
            }
            double norm = unit ? 1.0 : Math.exp(random.nextDouble() * Math.log(100.0)) / 10.0; // 0.1 .. 10
            v = rescale(v, norm);
            System.arraycopy(v, 0, out, i * dims, dims);
        }
        return out;
    }

    private static float[] rescale(float[] v, double norm) {
        double sq = 0;
        for (float f : v) {
            sq += (double) f * f;
        }
        if (sq == 0) {
            return v;
        }
        float[] out = new float[v.length];
        double scale = norm / Math.sqrt(sq);
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * scale);
        }
        return out;
    }

    /** Targets: random vectors, sometimes a copy of a candidate, with norms 0.5 .. 2 unless {@code unit}. */
    static float[] targets(Random random, float[] candidates, int count, int dims, boolean unit) {
        float[] out = new float[count * dims];
        int candidateCount = candidates.length / dims;
        for (int a = 0; a < count; a++) {
            float[] v;
            if (candidateCount > 0 && random.nextInt(4) == 0) {
                v = new float[dims];
                System.arraycopy(candidates, random.nextInt(candidateCount) * dims, v, 0, dims);
                v = unit ? rescale(v, 1.0) : v;
            } else {
                v = gaussian(random, dims, unit ? 1.0 : 0.5 + 1.5 * random.nextDouble());
            }
            System.arraycopy(v, 0, out, a * dims, dims);
        }
        return out;
    }
}
