package dev.sift.testing;

/**
 * SIFT's objective computed from its definition, independently of the engine: V(S) = Σ_a [k(a,a) − k(a,S)
 * (K_SS + λI)⁻¹ k(S,a)] with a Cholesky solve in double precision.
 */
public final class BruteForceVariance {

    private BruteForceVariance() {}

    public static double variance(double[][] selected, double[][] targets, double lambda) {
        int n = selected.length;
        double[][] l = new double[n][n]; // Cholesky factor of K_SS + λI
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = dot(selected[i], selected[j]) + (i == j ? lambda : 0);
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                l[i][j] = i == j ? Math.sqrt(sum) : sum / l[j][j];
            }
        }
        double total = 0;
        for (double[] a : targets) {
            double[] y = new double[n]; // forward solve L y = k(S, a); then k(a,S)(LLᵀ)⁻¹k(S,a) = ‖y‖²
            double reduction = 0;
            for (int i = 0; i < n; i++) {
                double sum = dot(selected[i], a);
                for (int k = 0; k < i; k++) {
                    sum -= l[i][k] * y[k];
                }
                y[i] = sum / l[i][i];
                reduction += y[i] * y[i];
            }
            total += dot(a, a) - reduction;
        }
        return total;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    public static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
