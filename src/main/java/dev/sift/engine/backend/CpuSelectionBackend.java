package dev.sift.engine.backend;

import dev.sift.engine.Cancellation;
import dev.sift.engine.MmrSelector;
import dev.sift.engine.NearestSelector;
import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.SiftSelector;
import dev.sift.engine.kernels.KernelOps;

import java.util.Objects;

/**
 * The default backend: the engine's selectors on the calling thread, over the given {@link KernelOps} (the
 * Vector API kernels where available, the scalar loops otherwise; see
 * {@link dev.sift.engine.kernels.KernelOpsProvider}). Stateless and thread-safe.
 */
public final class CpuSelectionBackend implements SelectionBackend {

    public static final String NAME = "cpu";

    private final KernelOps ops;
    private final SelectionListener listener;
    private final SiftSelector sift;
    private final NearestSelector nearest;
    private final MmrSelector mmr;

    public CpuSelectionBackend(KernelOps ops) {
        this(ops, SelectionListener.NONE);
    }

    /** @param listener told of every selection this backend runs */
    public CpuSelectionBackend(KernelOps ops, SelectionListener listener) {
        this.ops = Objects.requireNonNull(ops);
        this.listener = Objects.requireNonNull(listener);
        this.sift = new SiftSelector(ops);
        this.nearest = new NearestSelector(ops);
        this.mmr = new MmrSelector(ops);
    }

    public KernelOps ops() {
        return ops;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String device() {
        return ops.name();
    }

    @Override
    public Selection sift(SelectionProblem problem, SiftOptions options, Cancellation cancellation) {
        long start = System.nanoTime();
        Selection selection = sift.select(problem, options, cancellation);
        listener.selected(NAME, problem.candidateCount(), System.nanoTime() - start);
        return selection;
    }

    @Override
    public Selection nearest(SelectionProblem problem, int picks, double lambda, Cancellation cancellation) {
        long start = System.nanoTime();
        Selection selection = nearest.select(problem, picks, lambda, cancellation);
        listener.selected(NAME, problem.candidateCount(), System.nanoTime() - start);
        return selection;
    }

    @Override
    public Selection mmr(SelectionProblem problem, int picks, double mmrLambda, double lambda, Cancellation cancellation) {
        long start = System.nanoTime();
        Selection selection = mmr.select(problem, picks, mmrLambda, lambda, cancellation);
        listener.selected(NAME, problem.candidateCount(), System.nanoTime() - start);
        return selection;
    }
}
