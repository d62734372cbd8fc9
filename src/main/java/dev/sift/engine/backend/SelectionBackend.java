package dev.sift.engine.backend;

import dev.sift.engine.Cancellation;
import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;

/**
 * Where a node's selections run: the one seam between what a clause asks for (SIFT or a baseline on one
 * {@link SelectionProblem}) and the hardware that computes it. A node chooses one backend at start-up and
 * every selection goes through it.
 *
 * <p>The seam is a whole selection, not a kernel call: an accelerator only pays off when the candidates are
 * uploaded once and all N greedy steps (kernel column, rank-one updates, argmax) run on the device, with
 * only the picks coming back, and when concurrent selections can be batched. The CPU's finer-grained
 * {@link dev.sift.engine.kernels.KernelOps} stay below this seam, inside {@link CpuSelectionBackend}.
 *
 * <p>A backend tells its {@link SelectionListener} of every selection it runs, naming where it ran.
 *
 * <p>Implementations are thread-safe (concurrent searches share the node's instance) and compute SIFT.md's
 * exact greedy with double accumulation; a backend whose summation order differs from the CPU kernels may
 * only differ where two gains are equal to rounding.
 */
public interface SelectionBackend {

    /** The backend's short name for logs and stats: {@code cpu} or {@code gpu}. */
    String name();

    /** What it computes with, for logs and stats, e.g. the CPU kernels {@code panama[512]}. */
    String device();

    /** Greedy SIFT. */
    Selection sift(SelectionProblem problem, SiftOptions options, Cancellation cancellation);

    /** The incoming order, scored with SIFT's surrogate. */
    Selection nearest(SelectionProblem problem, int picks, double lambda, Cancellation cancellation);

    /** Maximal marginal relevance, scored with SIFT's surrogate. */
    Selection mmr(SelectionProblem problem, int picks, double mmrLambda, double lambda, Cancellation cancellation);
}
