package dev.sift.engine;

import dev.sift.engine.kernels.KernelOps;

import java.util.Arrays;

/**
 * Builds {@link Selection}s: trims the step arrays, applies the alpha mask, and scores a fixed order. Public for
 * the backends that run the greedy steps elsewhere ({@link dev.sift.engine.backend}).
 */
public final class Trajectories {

    private Trajectories() {}

    /**
     * The selection made of the first {@code steps} greedy steps.
     *
     * @param alpha         the mask's {@code alpha}, NaN for none
     * @param keepFirstPick keep the first step where the mask would keep none
     */
    public static Selection finish(
        int[] picks,
        double[] gains,
        double[] variances,
        int steps,
        double prior,
        double alpha,
        boolean keepFirstPick
    ) {
        boolean[] kept = new boolean[steps];
        boolean any = false;
        for (int n = 0; n < steps; n++) {
            // activeft's rule, with the 1-based step number; a variance rounded below zero counts as zero.
            kept[n] = Double.isNaN(alpha) || alpha * (n + 1) * Math.sqrt(Math.max(0.0, variances[n])) <= 1.0;
            any |= kept[n];
        }
        if (keepFirstPick && any == false && steps > 0) {
            kept[0] = true;
        }
        return new Selection(
            Arrays.copyOf(picks, steps),
            Arrays.copyOf(gains, steps),
            Arrays.copyOf(variances, steps),
            prior,
            kept
        );
    }

    /** SIFT's surrogate gains and variances for an order chosen elsewhere (nearest, MMR), all kept. */
    static Selection score(KernelOps ops, SelectionProblem problem, double lambda, int[] order, Cancellation cancellation) {
        PosteriorState state = new PosteriorState(ops, problem, lambda, order.length);
        double[] gains = new double[order.length];
        double[] variances = new double[order.length];
        for (int n = 0; n < order.length; n++) {
            cancellation.check();
            int next = n + 1;
            gains[n] = state.observe(order[n], count -> Arrays.copyOfRange(order, next, Math.min(next + count, order.length)));
            variances[n] = state.variance();
        }
        return finish(order, gains, variances, order.length, state.priorVariance(), Double.NaN, false);
    }
}
