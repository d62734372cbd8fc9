package dev.sift.testing;

/**
 * An independent reference for the posterior variance of SIFT.md,
 * {@code V(S) = Σ_a [k(a,a) − k(a,S)(K_SS + λI)⁻¹k(S,a)]}, computed directly: the kernel entries are plain
 * sequential double sums (not the 8-lane contract of the engine), {@code K_SS + λI} is factorised with a
 * textbook Cholesky decomposition, and the quadratic form is {@code ‖L⁻¹k(S,a)‖²}. Shares no code with the
 * engine. {@code S} may repeat a candidate: {@code K_SS} is then singular, but {@code K_SS + λI} is not.
 */
public final class BruteForceVariance {

    private final float[] candidates;
    private final float[] targets;
    private final int dims;
    private final double lambda;
    private final int candidateCount;
    private final int targetCount;
    /** Candidate-candidate kernel, computed once. */
    private final double[][] gram;
    /** Candidate-target kernel: cross[x][a]. */
    private final double[][] cross;
    private final double prior;

    public BruteForceVariance(float[] candidates, float[] targets, int dims, double lambda) {
        this.candidates = candidates;
        this.targets = targets;
        this.dims = dims;
        this.lambda = lambda;
        this.candidateCount = candidates.length / dims;
        this.targetCount = targets.length / dims;
        this.gram = new double[candidateCount][candidateCount];
        for (int i = 0; i < candidateCount; i++) {
            for (int j = 0; j <= i; j++) {
                gram[i][j] = gram[j][i] = TestVectors.dot(candidates, i, candidates, j, dims);
            }
        }
        this.cross = new double[candidateCount][targetCount];
        for (int i = 0; i < candidateCount; i++) {
            for (int a = 0; a < targetCount; a++) {
                cross[i][a] = TestVectors.dot(candidates, i, targets, a, dims);
            }
        }
        double p = 0;
        for (int a = 0; a < targetCount; a++) {
            p += TestVectors.dot(targets, a, targets, a, dims);
        }
        this.prior = p;
    }

    public int candidateCount() {
        return candidateCount;
    }

    /** {@code V([])}. */
    public double prior() {
        return prior;
    }

    /** {@code V(S)} for the first {@code length} entries of {@code selected}. */
    public double variance(int[] selected, int length) {
        if (length == 0) {
            return prior;
        }
        double[][] chol = new double[length][length];
        for (int i = 0; i < length; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = gram[selected[i]][selected[j]] + (i == j ? lambda : 0.0);
                for (int k = 0; k < j; k++) {
                    sum -= chol[i][k] * chol[j][k];
                }
                if (i == j) {
                    if (sum <= 0) {
                        throw new AssertionError("K_SS + λI is not positive definite at " + i + ": " + sum);
                    }
                    chol[i][i] = Math.sqrt(sum);
                } else {
                    chol[i][j] = sum / chol[j][j];
                }
            }
        }
        double v = 0;
        double[] y = new double[length];
        for (int a = 0; a < targetCount; a++) {
            // Forward substitution L y = k(S, a); the quadratic form is y·y.
            double quad = 0;
            for (int i = 0; i < length; i++) {
                double sum = cross[selected[i]][a];
                for (int k = 0; k < i; k++) {
                    sum -= chol[i][k] * y[k];
                }
                y[i] = sum / chol[i][i];
                quad += y[i] * y[i];
            }
            v += TestVectors.dot(targets, a, targets, a, dims) - quad;
        }
        return v;
    }

    /** {@code V(S)} for all of {@code selected}. */
    public double variance(int[] selected) {
        return variance(selected, selected.length);
    }

    /** {@code V(S ∪ {x})} where {@code S} is the first {@code length} entries of {@code selected}. */
    public double varianceWith(int[] selected, int length, int x) {
        int[] extended = new int[length + 1];
        System.arraycopy(selected, 0, extended, 0, length);
        extended[length] = x;
        return variance(extended, length + 1);
    }

    public float[] candidates() {
        return candidates;
    }
}
