package dev.sift.engine;

import dev.sift.engine.kernels.KernelOps;

/**
 * Greedy SIFT (SIFT.md): at each step pick the candidate with the largest posterior-variance gain at the
 * targets, ties going to the earlier incoming position; then apply the adaptive stopping rules. Stateless and
 * thread-safe; each call allocates its own {@link PosteriorState}.
 */
public final class SiftSelector {

    private final KernelOps ops;

    public SiftSelector(KernelOps ops) {
        this.ops = ops;
    }

    /**
     * Bytes a selection of {@code picks} from {@code candidates} of {@code dims} dimensions with {@code targets}
     * targets allocates besides the vectors (also for the baselines, which share the state): for a circuit breaker.
     */
    public static long stateBytes(int candidates, int dims, int picks, int targets) {
        return PosteriorState.bytes(candidates, dims, picks, targets);
    }

    public Selection select(SelectionProblem problem, SiftOptions options) {
        return select(problem, options, Cancellation.NONE);
    }

    /**
     * @param cancellation checked once per step, so a cancelled search stops within one step's work
     */
    public Selection select(SelectionProblem problem, SiftOptions options, Cancellation cancellation) {
        int candidates = problem.candidateCount();
        int maxSteps = options.allowRepeats() ? options.size() : Math.min(options.size(), candidates);
        PosteriorState state = new PosteriorState(ops, problem, options.lambda(), maxSteps);
        double prior = state.priorVariance();
        double minGain = Double.isNaN(options.minGain()) ? Double.NaN : options.minGain() * prior;
        double targetVariance = Double.isNaN(options.targetVariance()) ? Double.NaN : options.targetVariance() * prior;

        boolean[] taken = new boolean[candidates];
        int[] picks = new int[maxSteps];
        double[] gains = new double[maxSteps];
        double[] variances = new double[maxSteps];
        int steps = 0;
        while (steps < maxSteps && candidates > 0) {
            cancellation.check();
            int best = state.largestGain(taken); // an exact tie keeps the earlier incoming position
            if (best < 0) {
                break;
            }
            double bestGain = state.gain(best);
            boolean belowMinGain = bestGain < minGain; // comparisons with NaN (rule off) are false
            if (belowMinGain && (steps > 0 || options.keepFirstPick() == false)) {
                break;
            }
            int pick = best;
            // Decided before observing, with the subtraction observe makes: exactly the V(S) the pick leaves.
            boolean last = steps + 1 == maxSteps || state.variance() - bestGain <= targetVariance || belowMinGain;
            if (last) {
                gains[steps] = state.observeLast(best);
            } else {
                // Guesses only for picks that will need a column: all but the last.
                int later = maxSteps - steps - 2;
                gains[steps] = state.observe(best, count -> NextPicks.after(state, taken, pick, Math.min(count, later)));
            }
            variances[steps] = state.variance();
            picks[steps] = best;
            steps++;
            if (options.allowRepeats() == false) {
                taken[best] = true;
            }
            if (last) { // a stopping rule ended it (or maxSteps, where the loop ends anyway)
                break;
            }
        }
        return Trajectories.finish(picks, gains, variances, steps, prior, options.alpha(), options.keepFirstPick());
    }
}
