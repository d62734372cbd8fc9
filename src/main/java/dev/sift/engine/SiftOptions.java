package dev.sift.engine;

/**
 * How a SIFT selection runs: the noise variance {@code lambda}, how many picks at most, whether a candidate may
 * be picked again (activeft's behaviour), and the adaptive stopping rules of SIFT.md. Immutable; built with
 * {@link #builder(int)}, which validates every value.
 *
 * <p>The stopping rules are off unless set. {@code alpha} masks picks after the greedy pass (keep pick
 * {@code n} iff {@code alpha·n·sqrt(V(S_n)) <= 1}); {@code minGain} and {@code targetVariance} cut the pass
 * short and are fractions of the prior variance {@code V([])}.
 */
public final class SiftOptions {

    /** activeft's default noise variance. */
    public static final double DEFAULT_LAMBDA = 0.01;

    private final double lambda;
    private final int size;
    private final boolean allowRepeats;
    private final double alpha;
    private final double minGain;
    private final double targetVariance;
    private final boolean keepFirstPick;

    private SiftOptions(Builder b) {
        this.lambda = b.lambda;
        this.size = b.size;
        this.allowRepeats = b.allowRepeats;
        this.alpha = b.alpha;
        this.minGain = b.minGain;
        this.targetVariance = b.targetVariance;
        this.keepFirstPick = b.keepFirstPick;
    }

    public static Builder builder(int size) {
        return new Builder(size);
    }

    public double lambda() {
        return lambda;
    }

    public int size() {
        return size;
    }

    public boolean allowRepeats() {
        return allowRepeats;
    }

    /** {@code alpha}, or NaN when the mask is off. */
    public double alpha() {
        return alpha;
    }

    /** {@code min_gain} as a fraction of {@code V([])}, or NaN when off. */
    public double minGain() {
        return minGain;
    }

    /** {@code target_variance} as a fraction of {@code V([])}, or NaN when off. */
    public double targetVariance() {
        return targetVariance;
    }

    /**
     * Whether the first greedy pick is kept even where a stopping rule or the mask would leave no pick at all: a
     * search then never comes back empty because of SIFT.
     */
    public boolean keepFirstPick() {
        return keepFirstPick;
    }

    public static final class Builder {
        private double lambda = DEFAULT_LAMBDA;
        private final int size;
        private boolean allowRepeats = false;
        private double alpha = Double.NaN;
        private double minGain = Double.NaN;
        private double targetVariance = Double.NaN;
        private boolean keepFirstPick = false;

        private Builder(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("[size] must be at least 1, got " + size);
            }
            this.size = size;
        }

        /** Noise variance, finite and &gt; 0. */
        public Builder lambda(double lambda) {
            if (Double.isFinite(lambda) == false || lambda <= 0) {
                throw new IllegalArgumentException("[lambda] must be a finite number > 0, got " + lambda);
            }
            this.lambda = lambda;
            return this;
        }

        public Builder allowRepeats(boolean allowRepeats) {
            this.allowRepeats = allowRepeats;
            return this;
        }

        /** activeft's mask, finite and &gt; 0. */
        public Builder alpha(double alpha) {
            if (Double.isFinite(alpha) == false || alpha <= 0) {
                throw new IllegalArgumentException("[alpha] must be a finite number > 0, got " + alpha);
            }
            this.alpha = alpha;
            return this;
        }

        /** Stop before a pick whose gain is below this fraction of {@code V([])}; in [0, 1]. */
        public Builder minGain(double minGain) {
            this.minGain = fraction("min_gain", minGain);
            return this;
        }

        /** Stop once {@code V(S_n)} is at most this fraction of {@code V([])}; in [0, 1]. */
        public Builder targetVariance(double targetVariance) {
            this.targetVariance = fraction("target_variance", targetVariance);
            return this;
        }

        /** Keep the first pick where the rules would keep none (see {@link SiftOptions#keepFirstPick()}). */
        public Builder keepFirstPick(boolean keepFirstPick) {
            this.keepFirstPick = keepFirstPick;
            return this;
        }

        private static double fraction(String name, double value) {
            if (Double.isFinite(value) == false || value < 0 || value > 1) {
                throw new IllegalArgumentException("[" + name + "] must be a number in [0, 1], got " + value);
            }
            return value;
        }

        public SiftOptions build() {
            return new SiftOptions(this);
        }
    }
}
