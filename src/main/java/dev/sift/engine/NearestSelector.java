package dev.sift.engine;

import dev.sift.engine.kernels.KernelOps;

/**
 * The nearest-neighbour baseline: the incoming order itself, first {@code size} candidates, scored with SIFT's
 * surrogate so its uncertainty can be compared with SIFT's.
 */
public final class NearestSelector {

    private final KernelOps ops;

    public NearestSelector(KernelOps ops) {
        this.ops = ops;
    }

    public Selection select(SelectionProblem problem, int size, double lambda, Cancellation cancellation) {
        if (size < 1) {
            throw new IllegalArgumentException("[size] must be at least 1, got " + size);
        }
        int[] order = new int[Math.min(size, problem.candidateCount())];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return Trajectories.score(ops, problem, lambda, order, cancellation);
    }
}
