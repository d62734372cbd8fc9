package dev.sift.demo;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PosteriorTest {

    @Test
    void onePick() {
        float[] q = { 1, 0 };
        float[] x = { 0.6f, 0.8f };
        double lambda = 0.01;
        double[] v = Posterior.trajectory(q, List.of(x), lambda);
        assertEquals(1 - 0.36 / (1 + lambda), v[0], 1e-6);
    }

    @Test
    void matchesTheDirectFormula() {
        Random r = new Random(7);
        int d = 12, n = 8;
        float[] q = random(r, d);
        List<float[]> picks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            picks.add(random(r, d));
        }
        picks.add(picks.get(2).clone()); // an exact duplicate: K stays invertible thanks to λ
        double lambda = 0.05;
        double[] v = Posterior.trajectory(q, picks, lambda);
        for (int t = 1; t <= picks.size(); t++) {
            assertEquals(direct(q, picks.subList(0, t), lambda), v[t - 1], 1e-9);
            if (t > 1) {
                assertTrue(v[t - 1] <= v[t - 2] + 1e-12, "the posterior variance never grows");
            }
        }
    }

    @Test
    void rejectsNonPositiveLambda() {
        assertThrows(IllegalArgumentException.class, () -> Posterior.trajectory(new float[] { 1 }, List.of(), 0));
    }

    /** 1 − k(a,S)(K + λI)⁻¹k(S,a) by Gaussian elimination, with unit vectors. */
    private static double direct(float[] q, List<float[]> s, double lambda) {
        int n = s.size();
        float[] a = Embedder.normalized(q);
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            float[] xi = Embedder.normalized(s.get(i));
            for (int j = 0; j < n; j++) {
                m[i][j] = Embedder.dot(xi, Embedder.normalized(s.get(j))) + (i == j ? lambda : 0);
            }
            m[i][n] = Embedder.dot(a, xi);
        }
        double[] k = new double[n];
        for (int i = 0; i < n; i++) {
            k[i] = m[i][n];
        }
        for (int c = 0; c < n; c++) {
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int j = c; j <= n; j++) {
                    m[r][j] -= f * m[c][j];
                }
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double t = m[i][n];
            for (int j = i + 1; j < n; j++) {
                t -= m[i][j] * x[j];
            }
            x[i] = t / m[i][i];
        }
        double explained = 0;
        for (int i = 0; i < n; i++) {
            explained += k[i] * x[i];
        }
        return 1 - explained;
    }

    private static float[] random(Random r, int d) {
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
