package dev.sift.demo;

import java.util.List;

/**
 * SIFT's uncertainty for any list of hits, computed here from the embeddings: the posterior variance
 * {@code V(S) = k(a,a) − k(a,S)(K_SS + λI)⁻¹k(S,a)} of the Gaussian-process surrogate with the inner-product
 * kernel (see /work/shared/SIFT.md), after each prefix of the list. The node reports the same figure for its own
 * picks in {@code explain}; this class lets the demo and the evaluation put it beside kNN's and MMR's lists too.
 *
 * <p>Vectors are normalised first (the index is {@code cosine}, so the node's kernel is the cosine). The lists
 * are short (at most a few dozen hits), so each prefix is solved with a fresh Cholesky factorisation.
 */
public final class Posterior {

    private Posterior() {}

    /** {@code V(S_1), ..., V(S_n)} for the prefixes of {@code picks}; V([]) is {@code ‖a‖² = 1}. */
    public static double[] trajectory(float[] query, List<float[]> picks, double lambda) {
        if (lambda <= 0) {
            throw new IllegalArgumentException("lambda must be positive, got " + lambda);
        }
        float[] a = Embedder.normalized(query);
        int n = picks.size();
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            x[i] = Embedder.normalized(picks.get(i));
        }
        double[][] k = new double[n][n];
        double[] ka = new double[n];
        for (int i = 0; i < n; i++) {
            ka[i] = Embedder.dot(a, x[i]);
            for (int j = 0; j <= i; j++) {
                k[i][j] = k[j][i] = Embedder.dot(x[i], x[j]) + (i == j ? lambda : 0);
            }
        }
        // Cholesky of K + λI grows by one row per pick; V(S_t) = 1 − ‖L_t⁻¹ k(S_t, a)‖².
        double[][] l = new double[n][n];
        double[] z = new double[n]; // z = L⁻¹ k(S, a), extended one entry per pick
        double[] out = new double[n];
        double explained = 0;
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < t; j++) {
                double s = k[t][j];
                for (int m = 0; m < j; m++) {
                    s -= l[t][m] * l[j][m];
                }
                l[t][j] = s / l[j][j];
            }
            double d = k[t][t];
            for (int m = 0; m < t; m++) {
                d -= l[t][m] * l[t][m];
            }
            l[t][t] = Math.sqrt(d); // d ≥ λ > 0: K + λI is positive definite
            double s = ka[t];
            for (int m = 0; m < t; m++) {
                s -= l[t][m] * z[m];
            }
            z[t] = s / l[t][t];
            explained += z[t] * z[t];
            out[t] = 1.0 - explained;
        }
        return out;
    }
}
