package dev.sift.engine;

import dev.sift.engine.compute.KernelOps;

import java.util.Arrays;

/**
 * The running Gaussian-process posterior of SIFT.md over K candidates, updated one observation at a time.
 *
 * <p>It keeps {@code k_t(x,x)} for every candidate, {@code k_t(a,x)} for every target and candidate, and the
 * scaled columns {@code c_s = k_{s-1}(·,x_s) / sqrt(k_{s-1}(x_s,x_s) + λ)} of the earlier picks, so that
 * {@code k_t(u,v) = k_0(u,v) - Σ_{s≤t} c_s(u) c_s(v)}. An observation costs one pass over the candidate
 * vectors (K·d) plus one correction per earlier pick (K·t); the K×K Gram matrix is never formed.
 * Memory: K·(steps + targets + 1) doubles.
 */
final class PosteriorState {

    /**
     * Rows per slice of a backwards pass. Each pass over the candidates reads all K·d floats, which for
     * K·d·4 bytes beyond the L2 cache means reading them from L3 or memory every step. Reading every other pass
     * backwards, slice by slice, starts each pass on the rows the previous one read last, which are still in
     * L2: for K=1000, d=768 (3 MB against 2 MB of L2) that makes a pass about 1.4 times faster. The results do not
     * depend on the order: each row's product is computed on its own.
     */
    private static final int PASS_SLICE_ROWS = 64;

    private final KernelOps ops;
    private final SelectionProblem problem;
    private final double lambda;
    private final int candidateCount;
    /** k_t(x,x) per candidate. */
    private final double[] diagonal;
    /** k_t(a,x) per target a (outer) and candidate x (inner). */
    private final double[][] cross;
    /** c_s for each observation so far. */
    private double[][] columns;
    private int observed;
    /** Passes over the candidate vectors so far; even passes read the rows forwards, odd ones backwards. */
    private int passes;
    private final double priorVariance;
    private double variance;

    PosteriorState(KernelOps ops, SelectionProblem problem, double lambda, int expectedSteps) {
        this.ops = ops;
        this.problem = problem;
        this.lambda = lambda;
        this.candidateCount = problem.candidateCount();
        int dims = problem.dims();
        float[] vectors = problem.candidates();
        float[] targets = problem.targets();
        this.diagonal = new double[candidateCount];
        this.cross = new double[problem.targetCount()][candidateCount];
        // The first pass computes the candidates' squared norms and their products with the first target together.
        ops.dotRowsAndNorms(vectors, candidateCount, dims, targets, 0, cross[0], diagonal);
        passes = 1;
        double prior = ops.dot(targets, 0, targets, 0, dims);
        for (int a = 1; a < cross.length; a++) {
            candidatePass(targets, a * dims, cross[a]);
            prior += ops.dot(targets, a * dims, targets, a * dims, dims);
        }
        this.priorVariance = prior;
        this.variance = prior;
        this.columns = new double[Math.max(1, expectedSteps)][];
    }

    double priorVariance() {
        return priorVariance;
    }

    /** {@code V(S_t)} after the observations so far. */
    double variance() {
        return variance;
    }

    /** {@code k_t(a, ·)} for target {@code a}: before any observation, the inner products with the target. */
    double[] targetRow(int a) {
        return cross[a];
    }

    /** {@code Σ_a k_t(a,x)² / (k_t(x,x) + λ)}: how much observing candidate {@code x} next would reduce V. */
    double gain(int x) {
        double numerator = 0;
        for (double[] targetRow : cross) {
            double k = targetRow[x];
            numerator += k * k;
        }
        return numerator / (diagonal[x] + lambda);
    }

    /** Observes candidate {@code x}; returns its gain, by which V decreased. */
    double observe(int x) {
        double[] column = new double[candidateCount];
        candidatePass(problem.candidates(), x * problem.dims(), column);
        return observe(x, column);
    }

    /**
     * Observes candidate {@code x} whose prior column {@code k_0(·, x)} the caller already computed with the same
     * {@link KernelOps} (MMR needs it anyway); the array is taken over and becomes the scaled column {@code c_t}.
     */
    double observe(int x, double[] column) {
        double gain = gain(x);
        subtractEarlierColumns(column, x);
        // The denominator uses the tracked diagonal, the same value the gain used, so V decreases by exactly
        // the gain that won the argmax.
        double scale = 1.0 / Math.sqrt(diagonal[x] + lambda);
        for (int i = 0; i < candidateCount; i++) {
            double c = column[i] * scale;
            column[i] = c;
            // A variance is never negative; clamp the rounding error of the subtraction.
            diagonal[i] = Math.max(0.0, diagonal[i] - c * c);
        }
        for (double[] targetRow : cross) {
            double weight = targetRow[x] * scale;
            for (int i = 0; i < candidateCount; i++) {
                targetRow[i] -= weight * column[i];
            }
        }
        if (observed == columns.length) {
            columns = Arrays.copyOf(columns, observed * 2);
        }
        columns[observed++] = column;
        variance -= gain;
        return gain;
    }

    /**
     * {@code column[i] -= c_s(i)·c_s(x)} for every earlier observation {@code s}, in order. Four earlier columns
     * go per sweep over {@code column}, each element still taking the four subtractions in the order of {@code s},
     * so the result is the same as one sweep per column.
     */
    private void subtractEarlierColumns(double[] column, int x) {
        int s = 0;
        for (; s + 4 <= observed; s += 4) {
            double[] e0 = columns[s], e1 = columns[s + 1], e2 = columns[s + 2], e3 = columns[s + 3];
            double w0 = e0[x], w1 = e1[x], w2 = e2[x], w3 = e3[x];
            for (int i = 0; i < candidateCount; i++) {
                double c = column[i];
                c -= e0[i] * w0;
                c -= e1[i] * w1;
                c -= e2[i] * w2;
                c -= e3[i] * w3;
                column[i] = c;
            }
        }
        for (; s < observed; s++) {
            double[] earlier = columns[s];
            double weight = earlier[x];
            for (int i = 0; i < candidateCount; i++) {
                column[i] -= earlier[i] * weight;
            }
        }
    }

    /**
     * {@code out[i] = φ(x_i)·v} for every candidate, where {@code v} is {@code dims} values of {@code source} from
     * {@code offset}: one pass over the candidate vectors, forwards or backwards by turns (see
     * {@link #PASS_SLICE_ROWS}).
     */
    private void candidatePass(float[] source, int offset, double[] out) {
        float[] rows = problem.candidates();
        int dims = problem.dims();
        if ((passes++ & 1) == 0) {
            ops.dotRowRange(rows, 0, candidateCount, dims, source, offset, out);
        } else {
            for (int from = (candidateCount - 1) / PASS_SLICE_ROWS * PASS_SLICE_ROWS; from >= 0; from -= PASS_SLICE_ROWS) {
                ops.dotRowRange(rows, from, Math.min(from + PASS_SLICE_ROWS, candidateCount), dims, source, offset, out);
            }
        }
    }
}
