package dev.sift.es;

import dev.sift.engine.Cancellation;
import dev.sift.engine.Selection;
import dev.sift.engine.SiftSelector;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.backend.SelectionBackend;
import dev.sift.es.compute.SiftCompute;
import dev.sift.es.vectors.WindowVectors;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.core.Nullable;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Runs a {@link SelectionSpec} over one window of hits, for the rescore clause (a shard's window) and the
 * retriever (the merged global window): skips hits without a vector, accounts the memory it allocates (the
 * engine's state, and the packed rows when some hits lack a vector) against the given circuit breaker, and maps
 * the engine's picks back to window positions. The window's own vectors are accounted by whoever read them.
 *
 * <p>A clause never selects nothing while some hit has a vector: if a stopping rule ends the selection before
 * its first pick, the first greedy pick is kept anyway ({@link dev.sift.engine.SiftOptions#keepFirstPick()}), so a
 * search never comes back empty because of SIFT.
 *
 * <p>Every selection runs on the node's backend ({@link SiftCompute#backend()}), which counts it for
 * {@code GET _sift/stats}.
 */
public final class WindowSelector {

    private WindowSelector() {}

    /**
     * The picks as window positions, in the order they are returned ({@link SelectionSpec#order()}), each with the
     * 0-based greedy step that picked it and the engine's figures for that step.
     */
    public record Picks(int[] positions, int[] steps, double[] gains, double[] variances, double priorVariance) {
        public int count() {
            return positions.length;
        }

        static final Picks NONE = new Picks(new int[0], new int[0], new double[0], new double[0], 0);
    }

    /**
     * @param compute     the node's compute ({@link SiftCompute#current()}): where the selection runs and is counted
     * @param targets     flat target vectors, already checked and normalised for the field
     * @param defaultSize picks when the spec gives no {@code size}
     */
    public static Picks select(
        SiftCompute compute,
        SelectionSpec spec,
        float[] targets,
        WindowVectors vectors,
        int defaultSize,
        Cancellation cancellation,
        @Nullable CircuitBreaker breaker
    ) {
        int[] candidates = vectors.presentPositions();
        if (candidates.length == 0) {
            return Picks.NONE;
        }
        int size = spec.size() == null ? defaultSize : spec.size();
        int picks = Math.min(size, candidates.length);
        long bytes = vectors.rowsBytes(candidates)
            + SiftSelector.stateBytes(candidates.length, vectors.dims(), picks, targets.length / Math.max(1, vectors.dims()));
        if (breaker != null) {
            breaker.addEstimateBytesAndMaybeBreak(bytes, "sift selection");
        }
        try {
            // indexed vectors are finite (Elasticsearch refuses others) and the targets were checked at parse time
            SelectionProblem problem = SelectionProblem.ofCheckedValues(vectors.rows(candidates), targets, vectors.dims());
            SelectionBackend backend = compute.backend();
            Selection selection = switch (spec.method()) {
                // stopping rules apply to SIFT only; the baselines are scored with SIFT's surrogate, to compare uncertainty
                case SIFT -> backend.sift(problem, spec.options(picks), cancellation);
                case NEAREST -> backend.nearest(problem, picks, spec.lambda(), cancellation);
                case MMR -> backend.mmr(problem, picks, spec.mmrLambda(), spec.lambda(), cancellation);
            };
            return toWindow(selection, candidates, spec.order());
        } finally {
            if (breaker != null) {
                breaker.addWithoutBreaking(-bytes);
            }
        }
    }

    private static Picks toWindow(Selection selection, int[] candidates, ResultOrder order) {
        int[] chosen = selection.selected();
        int[] engineStep = new int[chosen.length]; // the engine's step of each kept pick, in selection order
        for (int n = 0, k = 0; n < selection.steps(); n++) {
            if (selection.kept(n)) {
                engineStep[k++] = n;
            }
        }
        Integer[] returned = new Integer[chosen.length]; // kept picks (0-based among them), in the order returned
        for (int k = 0; k < returned.length; k++) {
            returned[k] = k;
        }
        if (order == ResultOrder.RELEVANCE) {
            // the window is in incoming order, so a pick's window position is its rank in the first pass
            Arrays.sort(returned, Comparator.comparingInt(k -> candidates[selection.pick(engineStep[k])]));
        }
        int[] positions = new int[returned.length];
        int[] steps = new int[returned.length];
        double[] gains = new double[returned.length];
        double[] variances = new double[returned.length];
        for (int i = 0; i < returned.length; i++) {
            int k = returned[i];
            int n = engineStep[k];
            positions[i] = candidates[selection.pick(n)];
            steps[i] = k;
            gains[i] = selection.gain(n);
            variances[i] = selection.variance(n);
        }
        return new Picks(positions, steps, gains, variances, selection.priorVariance());
    }
}
