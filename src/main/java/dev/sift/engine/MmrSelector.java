package dev.sift.engine;

import dev.sift.engine.kernels.KernelOps;

import java.util.Arrays;

/**
 * Maximal marginal relevance as Elasticsearch's {@code diversify} retriever defines it: pick
 * {@code argmax λ·sim(q,x) − (1−λ)·max_{s∈S} sim(x,s)}, the first pick being the most relevant, where
 * {@code sim} is Lucene's {@code MAXIMUM_INNER_PRODUCT} scaling of the inner product ({@code 1/(1−p)} for
 * {@code p < 0}, else {@code p + 1}). With several targets a candidate's relevance is its best target's.
 *
 * <p>Unlike the {@code diversify} retriever, the result is in selection order, not re-sorted into the
 * incoming order. Ties go to the earlier incoming position. Cost: K·d per pick plus K·|targets|·d once, shared
 * with the SIFT-surrogate scoring of the chosen order (plus its K·t corrections per pick).
 */
public final class MmrSelector {

    private final KernelOps ops;

    public MmrSelector(KernelOps ops) {
        this.ops = ops;
    }

    /** Lucene's {@code VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT} score of an inner product. */
    static double scaledInnerProduct(double p) {
        return p < 0 ? 1 / (1 - p) : p + 1;
    }

    /**
     * @param mmrLambda weight of relevance, in [0, 1]
     * @param lambda    SIFT's noise variance, only used to score the chosen order's uncertainty
     */
    public Selection select(SelectionProblem problem, int size, double mmrLambda, double lambda, Cancellation cancellation) {
        if (Double.isFinite(mmrLambda) == false || mmrLambda < 0 || mmrLambda > 1) {
            throw new IllegalArgumentException("[mmr_lambda] must be a number in [0, 1], got " + mmrLambda);
        }
        if (size < 1) {
            throw new IllegalArgumentException("[size] must be at least 1, got " + size);
        }
        int candidates = problem.candidateCount();
        int dims = problem.dims();
        float[] vectors = problem.candidates();
        int steps = Math.min(size, candidates);
        // SIFT's posterior scores the chosen order as it is made; its first pass already holds the products
        // with the targets, and each pick's column serves both MMR's redundancy and the posterior update.
        PosteriorState state = new PosteriorState(ops, problem, lambda, steps);
        double[] relevance = new double[candidates];
        Arrays.fill(relevance, Double.NEGATIVE_INFINITY);
        for (int a = 0; a < problem.targetCount(); a++) {
            double[] products = state.targetRow(a);
            for (int i = 0; i < candidates; i++) {
                relevance[i] = Math.max(relevance[i], scaledInnerProduct(products[i]));
            }
        }
        double[] redundancy = new double[candidates];
        Arrays.fill(redundancy, Double.NEGATIVE_INFINITY);
        boolean[] taken = new boolean[candidates];
        int[] order = new int[steps];
        double[] gains = new double[steps];
        double[] variances = new double[steps];
        for (int n = 0; n < steps; n++) {
            cancellation.check();
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int x = 0; x < candidates; x++) {
                if (taken[x]) {
                    continue;
                }
                // Before the first pick S is empty and only relevance counts.
                double score = n == 0 ? relevance[x] : mmrLambda * relevance[x] - (1 - mmrLambda) * redundancy[x];
                if (best < 0 || score > bestScore) {
                    bestScore = score;
                    best = x;
                }
            }
            order[n] = best;
            taken[best] = true;
            double[] column = new double[candidates];
            ops.dotRows(vectors, candidates, dims, vectors, best * dims, column);
            for (int i = 0; i < candidates; i++) {
                redundancy[i] = Math.max(redundancy[i], scaledInnerProduct(column[i]));
            }
            gains[n] = state.observe(best, column); // takes the column over: read it before this line
            variances[n] = state.variance();
        }
        return Trajectories.finish(order, gains, variances, steps, state.priorVariance(), Double.NaN, false);
    }
}
