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
        for (int i = 0; i < candidateCount; i++) {
            diagonal[i] = ops.dot(vectors, i * dims, vectors, i * dims, dims);
        }
        this.cross = new double[problem.targetCount()][candidateCount];
        double prior = 0;
        for (int a = 0; a < cross.length; a++) {
            ops.dotRows(vectors, candidateCount, dims, targets, a * dims, cross[a]);
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
        double gain = gain(x);
        double[] column = new double[candidateCount];
        int dims = problem.dims();
        ops.dotRows(problem.candidates(), candidateCount, dims, problem.candidates(), x * dims, column);
        for (int s = 0; s < observed; s++) {
            double[] earlier = columns[s];
            double weight = earlier[x];
            for (int i = 0; i < candidateCount; i++) {
                column[i] -= earlier[i] * weight;
            }
        }
        // The denominator uses the tracked diagonal, the same value the gain used, so V decreases by exactly
        // the gain that won the argmax.
        double scale = 1.0 / Math.sqrt(diagonal[x] + lambda);
        for (int i = 0; i < candidateCount; i++) {
            column[i] *= scale;
        }
        for (double[] targetRow : cross) {
            double weight = targetRow[x] * scale;
            for (int i = 0; i < candidateCount; i++) {
                targetRow[i] -= weight * column[i];
            }
        }
        for (int i = 0; i < candidateCount; i++) {
            // A variance is never negative; clamp the rounding error of the subtraction.
            diagonal[i] = Math.max(0.0, diagonal[i] - column[i] * column[i]);
        }
        if (observed == columns.length) {
            columns = Arrays.copyOf(columns, observed * 2);
        }
        columns[observed++] = column;
        variance -= gain;
        return gain;
    }
}
